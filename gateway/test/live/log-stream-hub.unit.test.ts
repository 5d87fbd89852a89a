import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredLog } from '../../src/domain/log-record.ts';
import { LogStreamHub, type LogStreamBatch, type StoredLogSource } from '../../src/live/log-stream.ts';

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

const options = { coalesceMs: 30, maxBatch: 4, capacity: 10 };

describe('LogStreamHub', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts with an empty batch, then coalesces a burst into batches of at most maxBatch', async () => {
    const src = source();
    const stream = new LogStreamHub(src.subscribe, options).subscribe({});
    expect(await stream.next()).toEqual({ value: { logs: [], dropped: 0 }, done: false });
    const burst = Array.from({ length: 6 }, (_, i) => stored({ path: `/b/${i}` }));
    // The clock stands still while the burst arrives, as it would on an idle machine: with the
    // real clock, a busy machine pausing this process for 30 ms mid-burst splits it differently.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    for (const r of burst) src.publish([r]);
    const a = await stream.next();
    const rest = stream.next();
    await vi.advanceTimersByTimeAsync(options.coalesceMs);
    const b = await rest;
    const c = await stream.next();
    vi.useRealTimers();
    // The first record went out at once (quiet spell); the other five waited out the throttle.
    expect([a.value, b.value, c.value]).toEqual([
      { logs: burst.slice(0, 1), dropped: 0 },
      { logs: burst.slice(1, 5), dropped: 0 },
      { logs: burst.slice(5), dropped: 0 },
    ]);
    await stream.return(undefined);
    expect(src.listeners.size).toBe(0);
  });

  it('gives subscribers with the same filter the same batch objects, and filters each group apart', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, options);
    const shopA = hub.subscribe({ service: 'shop' });
    const shopB = hub.subscribe({ service: 'shop', route: null });
    const other = hub.subscribe({ service: 'other' });
    for (const s of [shopA, shopB, other]) await s.next();
    expect(hub.subscribers).toBe(3);
    expect(hub.groupCount).toBe(2);
    // One source listener for the whole hub, whatever the number of groups.
    expect(src.listeners.size).toBe(1);

    const shop = stored();
    const elsewhere = stored({ service: 'other' });
    src.publish([shop, elsewhere]);
    const [a, b, o] = await Promise.all([shopA.next(), shopB.next(), other.next()]);
    expect(a.value).toEqual({ logs: [shop], dropped: 0 });
    expect(b.value).toBe(a.value);
    expect(o.value).toEqual({ logs: [elsewhere], dropped: 0 });

    await Promise.all([shopA.return(undefined), shopB.return(undefined), other.return(undefined)]);
    expect(src.listeners.size).toBe(0);
    expect(hub.groupCount).toBe(0);
  });

  it('delivers a burst far larger than one batch complete to a subscriber that keeps pulling', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, { ...options, capacity: 1000 });
    const stream = hub.subscribe({});
    await stream.next();
    const burst = Array.from({ length: 900 }, (_, i) => stored({ path: `/big/${i}` }));
    src.publish(burst);
    const received: StoredLog[] = [];
    let dropped = 0;
    while (received.length + dropped < burst.length) {
      const { value } = await stream.next();
      received.push(...value!.logs);
      dropped += value!.dropped;
    }
    expect(dropped).toBe(0);
    expect(received).toEqual(burst);
    await stream.return(undefined);
  });

  it('a subscriber that does not pull holds at most capacity records and learns how many it missed; others are unaffected', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, options);
    const stalled = hub.subscribe({ service: 'shop' });
    const keeping = hub.subscribe({ service: 'shop' });
    await stalled.next();
    await keeping.next();
    const published: StoredLog[] = [];
    const kept: StoredLog[] = [];
    let keptDropped = 0;
    for (let i = 0; i < 200; i++) {
      const batch = [stored({ path: `/n/${i}` }), stored({ service: 'other' })];
      published.push(batch[0]!);
      src.publish(batch);
      // Let the stream's timers run as they would between real batches; `keeping` drains as it goes.
      if (i % 5 === 4) {
        await new Promise((resolve) => setTimeout(resolve, options.coalesceMs + 5));
        while (kept.length + keptDropped < published.length) {
          const { value } = await keeping.next();
          kept.push(...value!.logs);
          keptDropped += value!.dropped;
        }
      }
    }
    expect(keptDropped).toBe(0);
    expect(kept).toEqual(published);
    expect(hub.peakQueued).toBeLessThanOrEqual(options.capacity);
    expect(hub.queued).toBeLessThanOrEqual(options.capacity);
    expect(hub.droppedTotal).toBeGreaterThan(0);

    const batches: LogStreamBatch[] = [];
    let received = 0;
    let dropped = 0;
    while (received + dropped < published.length) {
      const { value } = await stalled.next();
      batches.push(value!);
      received += value!.logs.length;
      dropped += value!.dropped;
    }
    expect(dropped).toBe(hub.droppedTotal);
    expect(received).toBeLessThanOrEqual(options.capacity);
    // The gap is reported before what follows it, and what arrived is the newest, in order.
    expect(batches[0]).toEqual({ logs: [], dropped });
    expect(batches.slice(1).flatMap((b) => b.logs)).toEqual(published.slice(dropped));
    await Promise.all([stalled.return(undefined), keeping.return(undefined)]);
    expect(src.listeners.size).toBe(0);
    expect(hub.subscribers).toBe(0);
  });

  it('keeps all groups together within totalCapacity, taking from the group holding the most', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, { ...options, maxBatch: 2, capacity: 10, totalCapacity: 12 });
    const streams = ['a', 'b', 'c'].map((service) => hub.subscribe({ service }));
    for (const s of streams) await s.next();
    // Nobody pulls: a gets 8 records, then b and c 6 each; only the total bound applies.
    src.publish(Array.from({ length: 8 }, () => stored({ service: 'a' })));
    src.publish(Array.from({ length: 6 }, () => stored({ service: 'b' })));
    src.publish(Array.from({ length: 6 }, () => stored({ service: 'c' })));
    expect(hub.retainedTotal).toBeLessThanOrEqual(12);
    expect(hub.droppedTotal).toBe(20 - hub.retainedTotal);
    // The largest holder paid first: a is down to what b and c hold.
    const received = await Promise.all(
      streams.map(async (s) => {
        let logs = 0;
        let dropped = 0;
        while (logs + dropped < (s === streams[0] ? 8 : 6)) {
          const { value } = await s.next();
          logs += value!.logs.length;
          dropped += value!.dropped;
        }
        return { logs, dropped };
      }),
    );
    expect(received.map((r) => r.logs)).toEqual([4, 4, 4]);
    expect(received.map((r) => r.dropped)).toEqual([4, 2, 2]);
    await Promise.all(streams.map((s) => s.return(undefined)));
    expect(hub.retainedTotal).toBe(0);
  });

  it('sends a record after a quiet spell at once, and unsubscribes when the consumer stops while idle or throttled', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, options);
    const idle = hub.subscribe({});
    await idle.next();
    const pending = idle.next();
    await idle.return(undefined);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(src.listeners.size).toBe(0);

    const slowHub = new LogStreamHub(src.subscribe, { ...options, coalesceMs: 60_000 });
    const busy = slowHub.subscribe({});
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

describe('LogStreamHub under many filters (issue 21.4)', () => {
  it('checks a record only against the groups of its service, plus the groups without a service filter', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, { ...options, capacity: 1_000, totalCapacity: 1_000_000, maxFilters: 5_000 });
    const streams = Array.from({ length: 1_000 }, (_, i) => hub.subscribe({ service: `svc-${i}` }));
    const everything = hub.subscribe({});
    await Promise.all([...streams, everything].map((s) => s.next()));
    const before = hub.filterChecks;
    const records = Array.from({ length: 500 }, (_, i) => stored({ service: 'svc-7', path: `/i/${i}` }));
    src.publish(records);
    const checks = hub.filterChecks - before;
    console.info(`[reliability] fan-out checks for 500 records, 1,001 filters (1,000 by service): ${checks} (naive: ${500 * 1_001})`);
    // 500 for svc-7's group and 500 for the catch-all group, not 500 × 1,001.
    expect(checks).toBe(1_000);
    expect((await streams[7]!.next()).value!.logs).toHaveLength(4);
    await Promise.all([...streams, everything].map((s) => s.return(undefined)));
    expect(src.listeners.size).toBe(0);
  });

  it('filters a big fan-out in slices that yield the event loop, and still delivers every match in order', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, { coalesceMs: 0, maxBatch: 10_000, capacity: 100_000, totalCapacity: 10_000_000, maxFilters: 5_000, checksPerSlice: 10_000 });
    // 2,000 distinct filters no service index can narrow (a path substring each).
    const streams = Array.from({ length: 2_000 }, (_, i) => hub.subscribe({ pathContains: `/p/${i}/` }));
    await Promise.all(streams.map((s) => s.next()));
    const records = Array.from({ length: 2_000 }, (_, i) => stored({ path: `/p/${i}/x` }));
    src.publish(records);
    // The publish returned with most of the work still queued: other callbacks run in between.
    const pendingAfterPublish = hub.pendingChecks;
    let ticks = 0;
    while (hub.pendingChecks > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      ticks++;
    }
    console.info(`[reliability] 2,000 filters × 2,000 records: ${pendingAfterPublish} checks left after publish, done over ${ticks} event-loop turns`);
    expect(pendingAfterPublish).toBeGreaterThan(2_000 * 2_000 - 10_001);
    expect(ticks).toBeGreaterThan(100);
    const firsts = await Promise.all([streams[0]!, streams[1_999]!].map((s) => s.next()));
    expect(firsts.map((f) => (f.value as LogStreamBatch).logs.map((l) => l.path))).toEqual([['/p/0/x'], ['/p/1999/x']]);
    await Promise.all(streams.map((s) => s.return(undefined)));
  });

  it('refuses subscribers past maxSubscribers and new filters past maxFilters (RATE_LIMITED), and takes them again once there is room', async () => {
    const src = source();
    const hub = new LogStreamHub(src.subscribe, { ...options, maxSubscribers: 3, maxFilters: 2 });
    const a = hub.subscribe({ service: 'a' });
    const b = hub.subscribe({ service: 'b' });
    await Promise.all([a.next(), b.next()]);
    expect(() => hub.subscribe({ service: 'c' })).toThrow(/distinct logStream filters.*at most 2/);
    const a2 = hub.subscribe({ service: 'a' });
    await a2.next();
    expect(() => hub.subscribe({ service: 'a' })).toThrow(/live log subscriptions.*at most 3/);
    await b.return(undefined);
    const c = hub.subscribe({ service: 'c' });
    await c.next();
    expect(hub.groupCount).toBe(2);
    await Promise.all([a.return(undefined), a2.return(undefined), c.return(undefined)]);
  });
});
