import { Repeater } from 'graphql-yoga';
import { RateLimitedError } from '../domain/errors.ts';
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
  /** Most logStream subscribers at once (WebSocket and SSE together); past it RATE_LIMITED. */
  maxSubscribers: number;
  /** Most distinct filters at once (each is a group the hub filters every batch for); past it RATE_LIMITED. */
  maxFilters: number;
  /** Filter checks done in one turn of the event loop before the rest of a batch waits for the next. */
  checksPerSlice: number;
}

export const LOG_STREAM_DEFAULTS: Readonly<LogStreamOptions> = {
  coalesceMs: 100,
  maxBatch: 250,
  capacity: 20_000,
  totalCapacity: 100_000,
  maxSubscribers: 10_000,
  maxFilters: 1_000,
  checksPerSlice: 20_000,
};

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
  closed = false;

  constructor(
    readonly filter: LogFilter,
    private readonly options: LogStreamOptions,
    private readonly hub: LogStreamHub,
  ) {}

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
    this.closed = true;
    clearTimeout(this.timer);
    this.hub.retainedTotal -= this.retained;
    this.retained = 0;
    this.log.length = 0;
    this.pending = [];
  }

  /** Takes the matches among `records[from, to)` (the hub hands a batch over in slices). */
  receive(records: readonly StoredLog[], from = 0, to = records.length): void {
    const start = this.pending.length;
    for (let i = from; i < to; i++) if (matchesLogFilter(records[i]!, this.filter)) this.pending.push(records[i]!);
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
  /** Groups whose filter names a service, by that service: they only see that service's records. */
  private readonly byService = new Map<string, Set<LogStreamGroup>>();
  /** Groups without a service filter: they see every record. */
  private readonly anyService = new Set<LogStreamGroup>();
  /** Filtering still to do, in commit order: a group, a batch and where in it to go on. */
  private readonly work: { group: LogStreamGroup; records: readonly StoredLog[]; from: number }[] = [];
  private draining = false;
  private unsubscribe: (() => void) | undefined;
  /** Records checked against a filter since start (the cost of fan-out, for tests and stats). */
  filterChecks = 0;
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

  /** Throws RATE_LIMITED when one more subscriber (or one more distinct filter) would pass the caps. */
  private checkRoom(key: string): void {
    if (this.subscribers >= this.options.maxSubscribers) {
      throw new RateLimitedError(`Too many live log subscriptions on this gateway (at most ${this.options.maxSubscribers}); retry later`, 5);
    }
    if (!this.groups.has(key) && this.groups.size >= this.options.maxFilters) {
      throw new RateLimitedError(
        `Too many distinct logStream filters on this gateway (at most ${this.options.maxFilters}); use a filter already in use, or retry later`,
        5,
      );
    }
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

  /**
   * One listener on the source for every group. A batch is split by service once, so a group
   * filtering on a service checks only that service's records; the checks are done in slices
   * of `checksPerSlice`, yielding the event loop in between, so thousands of filters cannot
   * freeze the process (health checks, ingest and other sockets keep being served).
   */
  private dispatch(records: readonly StoredLog[]): void {
    if (this.byService.size > 0) {
      const perService = new Map<string, StoredLog[]>();
      for (const record of records) {
        if (!this.byService.has(record.service)) continue;
        let list = perService.get(record.service);
        if (!list) perService.set(record.service, (list = []));
        list.push(record);
      }
      for (const [service, list] of perService) for (const group of this.byService.get(service)!) this.work.push({ group, records: list, from: 0 });
    }
    for (const group of this.anyService) this.work.push({ group, records, from: 0 });
    if (!this.draining) this.drain();
  }

  private drain(): void {
    let budget = this.options.checksPerSlice;
    while (this.work.length > 0) {
      const job = this.work[0]!;
      if (job.group.closed) {
        this.work.shift();
        continue;
      }
      if (budget <= 0) {
        this.draining = true;
        setImmediate(() => this.drain());
        return;
      }
      const to = Math.min(job.records.length, job.from + budget);
      job.group.receive(job.records, job.from, to);
      this.filterChecks += to - job.from;
      budget -= to - job.from;
      job.from = to;
      if (job.from >= job.records.length) this.work.shift();
    }
    this.draining = false;
  }

  /** Filtering work waiting for a later turn of the event loop (records × groups). */
  get pendingChecks(): number {
    let total = 0;
    for (const job of this.work) total += job.records.length - job.from;
    return total;
  }

  private addGroup(key: string, filter: LogFilter): LogStreamGroup {
    const group = new LogStreamGroup(filter, this.options, this);
    this.groups.set(key, group);
    if (filter.service) {
      let set = this.byService.get(filter.service);
      if (!set) this.byService.set(filter.service, (set = new Set()));
      set.add(group);
    } else this.anyService.add(group);
    this.unsubscribe ??= this.source((records) => this.dispatch(records));
    return group;
  }

  private removeGroup(key: string, group: LogStreamGroup): void {
    group.close();
    this.groups.delete(key);
    const service = group.filter.service;
    if (service) {
      const set = this.byService.get(service);
      set?.delete(group);
      if (set?.size === 0) this.byService.delete(service);
    } else this.anyService.delete(group);
    if (this.groups.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
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
    // Refused before anything is set up; checked again when the stream starts (several may be asked for at once).
    this.checkRoom(filterKey(filter));
    return new Repeater<LogStreamBatch>(async (push, stop) => {
      const key = filterKey(filter);
      this.checkRoom(key);
      const group = this.groups.get(key) ?? this.addGroup(key, filter);
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
        if (group.members.size === 0) this.removeGroup(key, group);
        else group.release();
      }
    });
  }
}
