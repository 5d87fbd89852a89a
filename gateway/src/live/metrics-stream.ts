import { Repeater } from 'graphql-yoga';
import { alignedBoundary, type LiveMetrics, type LiveMetricsWindow } from './metrics-window.ts';

export const LIVE_METRICS_MIN_INTERVAL = 1;
export const LIVE_METRICS_MAX_INTERVAL = 300;

/**
 * Live figures every `intervalSeconds`: first the window that just ended (so a dashboard has
 * numbers at once), then one per interval. Windows are contiguous, so summed over a
 * subscription they count every record that arrived exactly once.
 */
export function streamLiveMetrics(
  window: LiveMetricsWindow,
  intervalSeconds: number,
  service: string | null,
  now: () => number = Date.now,
): Repeater<LiveMetrics> {
  const step = intervalSeconds * 1000;
  return new Repeater<LiveMetrics>(async (push, stop) => {
    let stopped = false;
    let wakeOnStop: (() => void) | undefined;
    void stop.then(() => {
      stopped = true;
      wakeOnStop?.();
    });
    const sleepUntil = (at: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakeOnStop = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, at - now()));
        wakeOnStop = done;
      });

    let end = alignedBoundary(now(), intervalSeconds);
    await push(window.summarize(end - step, end, service));
    while (!stopped) {
      const next = end + step;
      // Timers may fire a millisecond early; the window must not end in the future.
      while (!stopped && now() < next) await sleepUntil(next);
      if (stopped) break;
      // A late tick (busy loop, slow consumer) widens this window instead of skipping records.
      const boundary = Math.max(next, alignedBoundary(now(), intervalSeconds));
      await push(window.summarize(end, boundary, service));
      end = boundary;
    }
  });
}
