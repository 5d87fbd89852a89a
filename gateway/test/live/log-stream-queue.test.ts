import { describe, expect, it } from 'vitest';
import type { StoredLog } from '../../src/ingest/write-batch.ts';
import { LogStreamQueue, LogStreamStats, streamLogBatches, type StoredLogSource } from '../../src/live/log-stream.ts';

let nextId = 1;
const stored = (over: Partial<StoredLog> = {}): StoredLog => ({
  id: String(nextId++),
  timestamp: new Date('2026-11-25T10:00:00Z'),
  ingestedAt: new Date('2026-11-25T10:00:01Z'),
  service: 'shop',
  method: 'GET',
  path: '/api/x',
  route: '/api/x',
  status: 200,
  latencyMs: 3,
  userAgent: null,
  ipAddress: null,
  requestId: null,
  bytes: null,
  extra: null,
  ...over,
});

/** A real in-memory source: what the live hub's onLogsStored is, minus the event target. */
function source() {
  const listeners = new Set<(records: readonly StoredLog[]) => void>();
  const subscribe: StoredLogSource = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { subscribe, listeners, publish: (records: StoredLog[]) => listeners.forEach((l) => l(records)) };
}

describe('LogStreamQueue', () => {
  it('keeps only matching records, drops the oldest past capacity and reports them once', () => {
    const stats = new LogStreamStats();
    const q = new LogStreamQueue(3, stats);
    const records = [1, 2, 3, 4, 5].map((n) => stored({ path: `/p/${n}` }));
    expect(q.offer([stored({ service: 'other' }), ...records], { service: 'shop' })).toBe(5);
    expect(q.size).toBe(3);
    expect(stats.peakQueued).toBe(3);
    const first = q.take(2);
    expect(first).toEqual({ logs: [records[2], records[3]], dropped: 2 });
    expect(q.take(10)).toEqual({ logs: [records[4]], dropped: 0 });
    expect(q.pending).toBe(false);
    expect(stats.droppedTotal).toBe(2);
  });
});

describe('streamLogBatches', () => {
  const options = { coalesceMs: 30, maxBatch: 4, capacity: 10 };

  it('starts with an empty batch, then coalesces a burst into batches of at most maxBatch', async () => {
    const src = source();
    const stream = streamLogBatches(src.subscribe, {}, options);
    expect(await stream.next()).toEqual({ value: { logs: [], dropped: 0 }, done: false });
    const burst = Array.from({ length: 6 }, (_, i) => stored({ path: `/b/${i}` }));
    for (const r of burst) src.publish([r]);
    const a = await stream.next();
    const b = await stream.next();
    expect(a.value).toEqual({ logs: burst.slice(0, 4), dropped: 0 });
    expect(b.value).toEqual({ logs: burst.slice(4), dropped: 0 });
    await stream.return(undefined);
    expect(src.listeners.size).toBe(0);
  });

  it('a subscriber that does not pull holds at most capacity records and learns how many it missed', async () => {
    const src = source();
    const stats = new LogStreamStats();
    const stream = streamLogBatches(src.subscribe, { service: 'shop' }, options, stats);
    await stream.next();
    const published: StoredLog[] = [];
    for (let i = 0; i < 200; i++) {
      const batch = [stored({ path: `/n/${i}` }), stored({ service: 'other' })];
      published.push(batch[0]!);
      src.publish(batch);
      // Let the stream's timers run as they would between real batches.
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(stats.peakQueued).toBeLessThanOrEqual(options.capacity);
    expect(stats.queued).toBeLessThanOrEqual(options.capacity);

    const received: StoredLog[] = [];
    let dropped = 0;
    while (received.length + dropped < published.length) {
      const { value } = await stream.next();
      received.push(...value!.logs);
      dropped += value!.dropped;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(received.length).toBeLessThanOrEqual(options.capacity + options.maxBatch);
    // What arrived is in publication order and ends with the newest record.
    const order = received.map((r) => published.indexOf(r));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(received.at(-1)).toBe(published.at(-1));
    await stream.return(undefined);
    expect(src.listeners.size).toBe(0);
    expect(stats.subscribers).toBe(0);
  });

  it('sends a record after a quiet spell at once, and unsubscribes when the consumer stops while idle or throttled', async () => {
    const src = source();
    const idle = streamLogBatches(src.subscribe, {}, options);
    await idle.next();
    const pending = idle.next();
    await idle.return(undefined);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(src.listeners.size).toBe(0);

    const busy = streamLogBatches(src.subscribe, {}, { ...options, coalesceMs: 60_000 });
    await busy.next();
    // After a quiet spell a record goes out at once; the next one waits out the minute-long throttle.
    const first = stored();
    src.publish([first]);
    expect((await busy.next()).value).toEqual({ logs: [first], dropped: 0 });
    src.publish([stored()]);
    await new Promise((resolve) => setImmediate(resolve));
    await busy.return(undefined);
    expect(src.listeners.size).toBe(0);
  });
});
