import { createPubSub, type PubSub, type PubSubEventTarget } from 'graphql-yoga';
import type { StoredLog } from '../domain/log-record.ts';
import type { AlertEvent } from '../domain/alert.ts';
import type { Logger } from '../logger.ts';
import { LiveEventTarget, type RedisFanOutOptions } from './event-target.ts';
import { LogStreamHub, type LogStreamOptions, type StoredLogSource } from './log-stream.ts';
import { LIVE_METRICS_MAX_INTERVAL } from './metrics-stream.ts';
import { LiveMetricsWindow } from './metrics-window.ts';

/**
 * Events the gateway publishes. `logs:stored` carries every record of a batch right after the
 * batch commits, in commit order; with REDIS_URL set it also reaches every other replica.
 */
export type LiveEvents = {
  'logs:stored': [records: StoredLog[]];
  /** An alert transition, right after the evaluating replica committed it (alertEvents). */
  'alerts:event': [event: AlertEvent];
};

/** Figures about live subscribers (exposed for operations and tests). */
export interface LiveStats {
  /** Listeners on the event target: the metrics window's own plus one per logStream group (filter). */
  listeners: number;
  logStreamSubscribers: number;
  /** Distinct logStream filters being served (subscribers with the same filter share one). */
  logStreamGroups: number;
  /** Records waiting for the slowest subscriber of each logStream group right now. */
  queuedRecords: number;
  /** The most records one subscriber has had waiting at once since start (bounded by the stream capacity). */
  peakQueuedRecords: number;
  /** Records dropped for slow subscribers since start. */
  droppedRecords: number;
}

/**
 * The live hub: Yoga's typed PubSub plus what the live subscriptions share — a synchronous
 * `onLogsStored` (no per-subscriber unbounded buffers), the window behind liveMetrics, and
 * the Redis fan-out when configured.
 */
export interface LivePubSub extends PubSub<LiveEvents> {
  onLogsStored: StoredLogSource;
  readonly metrics: LiveMetricsWindow;
  readonly logStreams: LogStreamHub;
  stats(): LiveStats;
  /** Resolves when cross-replica fan-out is connected (at once without Redis). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface LivePubSubOptions {
  logger: Logger;
  /** Fan out through Redis so every replica's subscribers see every replica's records. */
  redis?: RedisFanOutOptions;
  /** logStream batching and per-subscriber bound (defaults: LOG_STREAM_DEFAULTS). */
  logStream?: Partial<LogStreamOptions>;
}

const STORED = 'logs:stored';

export function createLivePubSub(options: LivePubSubOptions): LivePubSub {
  const { logger } = options;
  const target = new LiveEventTarget({ redis: options.redis, logger });
  // LiveEventTarget is an EventTarget carrying CustomEvents; Yoga types its target per event map.
  const pubsub = createPubSub<LiveEvents>({ eventTarget: target as PubSubEventTarget<LiveEvents> });
  const metrics = new LiveMetricsWindow(LIVE_METRICS_MAX_INTERVAL + 2);

  const onLogsStored: StoredLogSource = (listener) => {
    const handler = (event: Event) => {
      const records = event instanceof CustomEvent ? event.detail : null;
      if (!Array.isArray(records) || records.length === 0) return;
      // A throwing EventTarget listener would surface as an uncaught exception.
      try {
        listener(records as StoredLog[]);
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'live: a logs:stored listener failed');
      }
    };
    target.addEventListener(STORED, handler);
    return () => target.removeEventListener(STORED, handler);
  };
  // Always on, so the first liveMetrics window already has data.
  const stopMetrics = onLogsStored((records) => metrics.add(records));
  const logStreams = new LogStreamHub(onLogsStored, options.logStream);

  return {
    ...pubsub,
    onLogsStored,
    metrics,
    logStreams,
    stats: () => ({
      listeners: target.listenerCount(),
      logStreamSubscribers: logStreams.subscribers,
      logStreamGroups: logStreams.groupCount,
      queuedRecords: logStreams.queued,
      peakQueuedRecords: logStreams.peakQueued,
      droppedRecords: logStreams.droppedTotal,
    }),
    ready: () => target.ready(),
    async close() {
      stopMetrics();
      await target.close();
    },
  };
}
