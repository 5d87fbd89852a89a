import { Repeater } from 'graphql-yoga';
import { matchesLogFilter, type LogFilter } from '../storage/log-filter.ts';
import type { StoredLog } from '../domain/log-record.ts';
import { markShared } from './shared-execution.ts';

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
  /**
   * Most records one subscriber may have waiting; past it its oldest waiting batches are dropped
   * and counted. Above the largest ingest batch (Fluent Bit sends chunks of ~13k records), so a
   * subscriber that keeps up never loses records to a single big batch.
   */
  capacity: number;
  /**
   * Most records all groups together may hold (counted per group, so a record two groups hold
   * counts twice): many distinct filters, each with a stalled subscriber, must not add up past
   * the gateway's memory. Past it the group holding the most loses its oldest batch.
   */
  totalCapacity: number;
}

export const LOG_STREAM_DEFAULTS: Readonly<LogStreamOptions> = { coalesceMs: 100, maxBatch: 250, capacity: 20_000, totalCapacity: 100_000 };

/** Where a stream gets committed records from: returns its own unsubscribe. */
export type StoredLogSource = (listener: (records: readonly StoredLog[]) => void) => () => void;

/** One subscriber's place in its group's log of batches. */
interface Member {
  /** Sequence number of the next batch to deliver. */
  next: number;
  /** Records it lost since its last delivery (sent as a batch of its own before the next one). */
  dropped: number;
  /** Set while it waits for a batch; called when one is appended or the group closes. */
  wake: (() => void) | undefined;
}

/**
 * Every subscriber with the same filter. The group filters each committed batch once, coalesces
 * the matches and appends them as batches to a log that every member reads at its own pace. The
 * batch objects are the same for every member (marked shared), so each is executed and
 * serialised once per distinct operation (see shared-execution.ts), not once per subscriber.
 * The log keeps at most `capacity` records (and all logs together at most `totalCapacity`): a
 * member whose unread batches fall off the head is told how many records it missed.
 */
class LogStreamGroup {
  readonly members = new Set<Member>();
  private readonly log: LogStreamBatch[] = [];
  /** Sequence number of log[0]. */
  private head = 0;
  private pending: StoredLog[] = [];
  /** Records in the log (the hub sums them for its total bound). */
  retained = 0;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    source: StoredLogSource,
    private readonly filter: LogFilter,
    private readonly options: LogStreamOptions,
    private readonly hub: LogStreamHub,
  ) {
    this.unsubscribe = source((records) => this.receive(records));
  }

  /** Sequence number the next appended batch gets. */
  get end(): number {
    return this.head + this.log.length;
  }

  /** Records waiting for the member furthest behind. */
  get backlog(): number {
    let oldest = this.end;
    for (const m of this.members) oldest = Math.min(oldest, m.next);
    let records = 0;
    for (let seq = Math.max(oldest, this.head); seq < this.end; seq++) records += this.log[seq - this.head]!.logs.length;
    return records;
  }

  batchAt(seq: number): LogStreamBatch | undefined {
    return seq >= this.head ? this.log[seq - this.head] : undefined;
  }

  /** After a member moved on: batches every member has read are released. */
  release(): void {
    let oldest = this.end;
    for (const m of this.members) oldest = Math.min(oldest, m.next);
    while (this.head < oldest) this.shift();
  }

  close(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
    this.hub.retainedTotal -= this.retained;
    this.retained = 0;
    this.log.length = 0;
    this.pending = [];
  }

  private receive(records: readonly StoredLog[]): void {
    const start = this.pending.length;
    for (const record of records) if (matchesLogFilter(record, this.filter)) this.pending.push(record);
    if (this.pending.length === start || this.timer) return;
    // Throttle, not debounce: a record after a quiet spell goes out at once, while a busy
    // service's records gather for up to coalesceMs and travel as a few batches.
    const wait = this.lastEmit + this.options.coalesceMs - Date.now();
    if (wait <= 0) this.emit();
    else this.timer = setTimeout(() => this.emit(), wait);
  }

  private emit(): void {
    this.timer = undefined;
    this.lastEmit = Date.now();
    const records = this.pending;
    this.pending = [];
    for (let i = 0; i < records.length; i += this.options.maxBatch) {
      const logs = records.slice(i, i + this.options.maxBatch);
      this.log.push(markShared({ logs, dropped: 0 }));
      this.retained += logs.length;
      this.hub.retainedTotal += logs.length;
    }
    // Past capacity the oldest batches go, whoever has not read them yet.
    while (this.retained > this.options.capacity && this.log.length > 1) this.dropOldest();
    this.hub.enforceTotalCapacity();
    this.hub.peakQueued = Math.max(this.hub.peakQueued, this.backlog);
    for (const m of this.members) {
      const wake = m.wake;
      m.wake = undefined;
      wake?.();
    }
  }

  /** Drops the oldest batch; members that had not read it are told they missed its records. */
  dropOldest(): void {
    const lost = this.log[0]!.logs.length;
    for (const m of this.members) {
      if (m.next > this.head) continue;
      m.next = this.head + 1;
      m.dropped += lost;
      this.hub.droppedTotal += lost;
    }
    this.shift();
  }

  /** Whether dropOldest would leave at least the newest batch. */
  get canDrop(): boolean {
    return this.log.length > 1;
  }

  private shift(): void {
    const removed = this.log.shift()!.logs.length;
    this.retained -= removed;
    this.hub.retainedTotal -= removed;
    this.head++;
  }
}

/** A stable key for a filter: subscribers whose filters select the same records share a group. */
function filterKey(filter: LogFilter): string {
  const entries = Object.entries(filter)
    .filter(([, value]) => value != null && value !== '')
    .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}

/**
 * The gateway's logStream subscriptions, grouped by filter (see LogStreamGroup), with the
 * figures stats and tests read.
 */
export class LogStreamHub {
  readonly options: Readonly<LogStreamOptions>;
  private readonly groups = new Map<string, LogStreamGroup>();
  /** The most records any one subscriber has had waiting at once since start. */
  peakQueued = 0;
  droppedTotal = 0;
  /** Records held by all groups' logs (see LogStreamOptions.totalCapacity). */
  retainedTotal = 0;

  constructor(
    private readonly source: StoredLogSource,
    options: Partial<LogStreamOptions> = {},
  ) {
    this.options = { ...LOG_STREAM_DEFAULTS, ...options };
  }

  get subscribers(): number {
    let total = 0;
    for (const group of this.groups.values()) total += group.members.size;
    return total;
  }

  /** Records waiting for the slowest member of each group (each record counted once per group). */
  get queued(): number {
    let total = 0;
    for (const group of this.groups.values()) total += group.backlog;
    return total;
  }

  /** Past the total bound, the groups holding the most give up their oldest batches. */
  enforceTotalCapacity(): void {
    while (this.retainedTotal > this.options.totalCapacity) {
      let largest: LogStreamGroup | undefined;
      for (const group of this.groups.values()) if (group.canDrop && (!largest || group.retained > largest.retained)) largest = group;
      if (!largest) return;
      largest.dropOldest();
    }
  }

  /** Distinct filters with at least one subscriber. */
  get groupCount(): number {
    return this.groups.size;
  }

  /**
   * The records of every committed batch that match `filter`, in batches at most every
   * `coalesceMs` and of at most `maxBatch` records. The first batch is empty and says the
   * subscription is live (records committed after it are delivered). A consumer that pulls
   * slowly is sent its backlog in order; one that falls `capacity` records behind loses the
   * oldest and is sent `{ logs: [], dropped: n }` before the rest. The subscriber leaves its
   * group as soon as the consumer stops.
   */
  subscribe(filter: LogFilter): Repeater<LogStreamBatch> {
    return new Repeater<LogStreamBatch>(async (push, stop) => {
      const key = filterKey(filter);
      let group = this.groups.get(key);
      if (!group) {
        group = new LogStreamGroup(this.source, filter, this.options, this);
        this.groups.set(key, group);
      }
      const member: Member = { next: group.end, dropped: 0, wake: undefined };
      group.members.add(member);
      let stopped = false;
      void stop.then(() => {
        stopped = true;
        member.wake?.();
      });
      try {
        await push({ logs: [], dropped: 0 });
        while (!stopped) {
          if (member.dropped > 0) {
            const dropped = member.dropped;
            member.dropped = 0;
            await push({ logs: [], dropped });
            continue;
          }
          const batch = group.batchAt(member.next);
          if (!batch) {
            await new Promise<void>((resolve) => (member.wake = resolve));
            continue;
          }
          member.next++;
          group.release();
          // Resolves when the consumer takes the batch: a slow socket holds this subscriber here
          // while its unread batches stay in the group's bounded log.
          await push(batch);
        }
      } finally {
        group.members.delete(member);
        if (group.members.size === 0) {
          group.close();
          this.groups.delete(key);
        } else group.release();
      }
    });
  }
}
