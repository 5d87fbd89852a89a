import { Repeater } from 'graphql-yoga';
import { matchesLogFilter, type LogFilter } from '../analytics/log-filter.ts';
import type { StoredLog } from '../ingest/write-batch.ts';

/** What a logStream subscriber receives: records in commit order, plus what it missed. */
export interface LogStreamBatch {
  logs: StoredLog[];
  /** Matching records dropped since the previous batch because this subscriber fell behind. */
  dropped: number;
}

export interface LogStreamOptions {
  /** Least time between two batches: records arriving sooner wait and travel together. */
  coalesceMs: number;
  /** Most records in one batch. */
  maxBatch: number;
  /** Most records held for one subscriber; beyond it the oldest are dropped and counted. */
  capacity: number;
}

export const LOG_STREAM_DEFAULTS: LogStreamOptions = { coalesceMs: 100, maxBatch: 250, capacity: 1000 };

/** Gateway-wide figures over every logStream subscriber, for stats and tests. */
export class LogStreamStats {
  readonly queues = new Set<LogStreamQueue>();
  /** The most records any one subscriber has held at once since start. */
  peakQueued = 0;
  droppedTotal = 0;

  get subscribers(): number {
    return this.queues.size;
  }

  get queued(): number {
    let total = 0;
    for (const q of this.queues) total += q.size;
    return total;
  }
}

/**
 * One subscriber's bounded FIFO of matching records. When it is full the OLDEST records go: a
 * live tail that fell behind is better shown what is happening now, and the gap is reported.
 */
export class LogStreamQueue {
  private items: StoredLog[] = [];
  private droppedSinceTake = 0;

  constructor(
    private readonly capacity: number,
    private readonly stats?: LogStreamStats,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** True when there is something to send: records, or news of dropped ones. */
  get pending(): boolean {
    return this.items.length > 0 || this.droppedSinceTake > 0;
  }

  /** Adds the records that match; returns how many matched. */
  offer(records: readonly StoredLog[], filter: LogFilter): number {
    let matched = 0;
    for (const record of records) {
      if (!matchesLogFilter(record, filter)) continue;
      matched++;
      this.items.push(record);
    }
    const overflow = this.items.length - this.capacity;
    if (overflow > 0) {
      this.items.splice(0, overflow);
      this.droppedSinceTake += overflow;
      if (this.stats) this.stats.droppedTotal += overflow;
    }
    if (this.stats && this.items.length > this.stats.peakQueued) this.stats.peakQueued = this.items.length;
    return matched;
  }

  take(max: number): LogStreamBatch {
    const batch = { logs: this.items.splice(0, max), dropped: this.droppedSinceTake };
    this.droppedSinceTake = 0;
    return batch;
  }
}

/** Where a stream gets committed records from: returns its own unsubscribe. */
export type StoredLogSource = (listener: (records: readonly StoredLog[]) => void) => () => void;

/**
 * The records of every committed batch that match `filter`, in batches at most every
 * `coalesceMs` and of at most `maxBatch` records. The first batch is empty and says the
 * subscription is live (records committed after it are delivered). Records wait in a bounded queue while the consumer is busy (a slow socket pulls
 * slowly), so a consumer that cannot keep up costs at most `capacity` records and is told how
 * many it missed; the listener is removed as soon as the consumer stops.
 */
export function streamLogBatches(
  source: StoredLogSource,
  filter: LogFilter,
  options: LogStreamOptions = LOG_STREAM_DEFAULTS,
  stats?: LogStreamStats,
): Repeater<LogStreamBatch> {
  return new Repeater<LogStreamBatch>(async (push, stop) => {
    const queue = new LogStreamQueue(options.capacity, stats);
    let stopped = false;
    // Set only while idle: records arriving during the coalescing pause must not cut it short.
    let onRecords: (() => void) | undefined;
    let onStop: (() => void) | undefined;
    void stop.then(() => {
      stopped = true;
      onRecords?.();
      onStop?.();
    });
    const unsubscribe = source((records) => {
      if (queue.offer(records, filter) === 0) return;
      const resume = onRecords;
      onRecords = undefined;
      resume?.();
    });
    stats?.queues.add(queue);
    let lastSent = Number.NEGATIVE_INFINITY;
    try {
      await push({ logs: [], dropped: 0 });
      while (!stopped) {
        if (!queue.pending) await new Promise<void>((resolve) => (onRecords = resolve));
        if (stopped) break;
        // Throttle, not debounce: a record after a quiet spell goes out at once, while a busy
        // service's records gather for up to coalesceMs and travel as a few batches.
        const wait = lastSent + options.coalesceMs - Date.now();
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              onStop = undefined;
              resolve();
            };
            const timer = setTimeout(done, wait);
            onStop = done;
          });
        }
        // Each push resolves when the consumer takes the batch, so a slow one holds records
        // in the bounded queue instead of in ever-growing buffers further down.
        while (!stopped && queue.pending) await push(queue.take(options.maxBatch));
        lastSent = Date.now();
      }
    } finally {
      unsubscribe();
      stats?.queues.delete(queue);
    }
  });
}
