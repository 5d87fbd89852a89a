import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliver } from './delivery.ts';
import { FileChangeSignal } from './file-change.ts';
import type { FilePosition } from './file-identity.ts';
import { encodeJsonLines } from './json-lines.ts';
import { LogFollower } from './log-follower.ts';
import { consoleLogger } from './logger.ts';
import type { ShipperLogger } from './logger.ts';
import { ShipperState, sha256 } from './shipper-state.ts';
import type { InflightBatch } from './shipper-state.ts';

export interface ShipperOptions {
  /** The JSON-lines log to follow. */
  file: string;
  /** The ingest endpoint, e.g. http://127.0.0.1:8000/log/ingest?service=target-server */
  url: string;
  /** Sent as `Authorization: Bearer <token>`; no header when empty. */
  token?: string;
  /** Where the position and the in-flight batch are kept across restarts. */
  stateDir: string;
  batchMaxRecords?: number;
  /** Limit on the raw lines of one batch (before gzip). */
  batchMaxBytes?: number;
  /** How long the first line of a batch may wait for more lines. */
  flushIntervalMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  /** How long a rotated file is still read after a new file appears at the path. */
  rotateWaitMs?: number;
  /**
   * How often an idle shipper looks at the file although no change was announced: a safety
   * net for file systems whose change notifications are lost. Without notifications it polls
   * every min(100 ms, flushIntervalMs) instead.
   */
  idlePollMs?: number;
  requestTimeoutMs?: number;
  logger?: ShipperLogger;
}

export interface ShipperStats {
  running: boolean;
  batchesSent: number;
  recordsSent: number;
  /** Compressed bytes acknowledged by the gateway. */
  bytesSent: number;
  retries: number;
  batchesDropped: number;
  recordsDropped: number;
  /** A batch is sent and not yet acknowledged. */
  inflight: boolean;
  /** Everything before this point is delivered. */
  position?: FilePosition;
  lastError?: string;
}

export interface Shipper {
  /** Stops reading and sending; an unacknowledged batch stays spooled for the next start. */
  stop(): Promise<void>;
  stats(): ShipperStats;
}

export class ShipperOptionsError extends Error {}

interface PendingBatch {
  inflight: InflightBatch;
  body: Buffer;
}

type NumericOption =
  | 'batchMaxRecords'
  | 'batchMaxBytes'
  | 'flushIntervalMs'
  | 'retryBaseMs'
  | 'retryCapMs'
  | 'rotateWaitMs'
  | 'idlePollMs'
  | 'requestTimeoutMs';

type Settings = Required<Omit<ShipperOptions, 'url'>> & { url: URL };

function settingsFrom(options: ShipperOptions): Settings {
  if (typeof options.file !== 'string' || options.file.trim() === '') throw new ShipperOptionsError('file: the path of the log to follow is required');
  if (typeof options.stateDir !== 'string' || options.stateDir.trim() === '') throw new ShipperOptionsError('stateDir: a directory for the shipper state is required');
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ShipperOptionsError(`url: "${String(options.url)}" is not a URL (expected e.g. http://127.0.0.1:8000/log/ingest)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ShipperOptionsError(`url: only http and https are supported, not ${url.protocol}`);
  const positive = (name: NumericOption, fallback: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || value <= 0) throw new ShipperOptionsError(`${name}: expected a positive integer, got ${String(value)}`);
    return value;
  };
  const settings: Settings = {
    file: resolve(options.file),
    url,
    token: options.token ?? '',
    stateDir: resolve(options.stateDir),
    batchMaxRecords: positive('batchMaxRecords', 1000),
    batchMaxBytes: positive('batchMaxBytes', 1024 * 1024),
    flushIntervalMs: positive('flushIntervalMs', 1000),
    retryBaseMs: positive('retryBaseMs', 1000),
    retryCapMs: positive('retryCapMs', 30_000),
    rotateWaitMs: positive('rotateWaitMs', 1000),
    idlePollMs: positive('idlePollMs', 5000),
    requestTimeoutMs: positive('requestTimeoutMs', 30_000),
    logger: options.logger ?? consoleLogger(),
  };
  if (settings.retryCapMs < settings.retryBaseMs) throw new ShipperOptionsError('retryCapMs must not be below retryBaseMs');
  return settings;
}

/**
 * Starts the DEV STAND-IN for Fluent Bit: tails a JSON-lines log and posts it to the gateway
 * exactly as Fluent Bit's `http` output does with `format json_lines` + `compress gzip`.
 * Batches go out one at a time, in order, each retried until acknowledged; the in-flight
 * batch is spooled first, so a crash never loses or (with the gateway's digest check)
 * duplicates a line. Throws ShipperOptionsError for bad options; I/O trouble is logged and retried.
 */
export function startShipper(options: ShipperOptions): Shipper {
  const s = settingsFrom(options);
  const { logger } = s;
  const abort = new AbortController();
  const { signal } = abort;
  const state = new ShipperState(s.stateDir, s.file, logger);
  const stats: ShipperStats = { running: true, batchesSent: 0, recordsSent: 0, bytesSent: 0, retries: 0, batchesDropped: 0, recordsDropped: 0, inflight: false };
  const pollMs = Math.min(100, s.flushIntervalMs);
  const changes = new FileChangeSignal(s.file, logger);
  let follower: LogFollower | undefined;

  /** Reopens everything from the saved state; first sends the batch a previous run left in flight. */
  async function resume(): Promise<LogFollower> {
    const saved = await state.load();
    stats.position = saved.position;
    if (saved.inflight) {
      const body = await state.readSpool(saved.inflight);
      if (body) {
        logger.info(`resending the batch left in flight by the previous run (${saved.inflight.records} records, same bytes)`);
        if (!(await ship({ inflight: saved.inflight, body }))) return new LogFollower(s.file, followerOptions());
      } else {
        logger.warn('the spooled in-flight batch is missing or damaged; its lines will be read again from the log');
      }
    }
    const next = new LogFollower(s.file, followerOptions());
    await next.open(stats.position);
    return next;
  }

  function followerOptions() {
    return { rotateWaitMs: s.rotateWaitMs, maxLineBytes: s.batchMaxBytes, logger };
  }

  /** Gathers lines until the batch is full or its first line has waited flushIntervalMs. */
  async function collect(from: LogFollower): Promise<PendingBatch | undefined> {
    const lines: string[] = [];
    let batch: Omit<InflightBatch, 'records' | 'sha256'> | undefined;
    let firstAt = 0;
    while (!signal.aborted) {
      const bytes = batch ? batch.end - batch.start : 0;
      changes.reset();
      const result = await from.read(s.batchMaxRecords - lines.length, s.batchMaxBytes - bytes);
      if (result.kind === 'lines') {
        const { chunk } = result;
        if (!batch) {
          batch = { dev: chunk.identity.dev, ino: chunk.identity.ino, start: chunk.start, end: chunk.end };
          firstAt = Date.now();
        }
        batch.end = chunk.end;
        lines.push(...chunk.lines);
        if (lines.length >= s.batchMaxRecords || batch.end - batch.start >= s.batchMaxBytes) break;
        continue;
      }
      if (batch && (result.kind !== 'idle' || Date.now() - firstAt >= s.flushIntervalMs)) break;
      if (result.kind === 'break') continue;
      await changes.wait(waitMs(from, batch ? firstAt + s.flushIntervalMs - Date.now() : undefined), signal);
    }
    if (!batch || signal.aborted) return undefined;
    const { body, records } = encodeJsonLines(lines, new Date());
    return { inflight: { ...batch, records, sha256: sha256(body) }, body };
  }

  /**
   * How long to sleep before reading again. With change notifications an idle shipper sleeps
   * until the file changes (a write wakes it at once) or the long safety poll; a started batch
   * sleeps until its flush time. A rotated file being drained ends on a timer, not on a change,
   * so that, and life without notifications, keep the short poll.
   */
  function waitMs(from: LogFollower, untilFlushMs: number | undefined): number {
    if (!changes.watching || from.rotating) return pollMs;
    return untilFlushMs === undefined ? s.idlePollMs : Math.max(1, untilFlushMs);
  }

  /** Delivers one batch and moves the saved position past it. False when stopped first. */
  async function ship({ inflight, body }: PendingBatch): Promise<boolean> {
    const after: FilePosition = { dev: inflight.dev, ino: inflight.ino, offset: inflight.end };
    if (inflight.records === 0) {
      await state.commit(after);
      stats.position = after;
      return true;
    }
    await state.beginBatch(body, inflight, stats.position);
    stats.inflight = true;
    const outcome = await deliver(body, {
      url: s.url,
      token: s.token,
      retryBaseMs: s.retryBaseMs,
      retryCapMs: s.retryCapMs,
      requestTimeoutMs: s.requestTimeoutMs,
      logger,
      signal,
      onRetry: (reason) => {
        stats.retries++;
        stats.lastError = reason;
      },
    });
    if (outcome.kind === 'aborted') return false;
    await state.commit(after);
    // Counted once the new position is saved, so the numbers never run ahead of the state file.
    if (outcome.kind === 'acked') {
      stats.batchesSent++;
      stats.recordsSent += inflight.records;
      stats.bytesSent += body.length;
    } else {
      stats.batchesDropped++;
      stats.recordsDropped += inflight.records;
      stats.lastError = `HTTP ${outcome.status}: batch dropped`;
    }
    stats.position = after;
    stats.inflight = false;
    return true;
  }

  async function run(): Promise<void> {
    let pending: PendingBatch | undefined;
    while (!signal.aborted) {
      try {
        follower ??= await resume();
        pending ??= await collect(follower);
        if (pending && (await ship(pending))) pending = undefined;
      } catch (error) {
        if (signal.aborted) break;
        stats.lastError = (error as Error).message;
        logger.error(`${stats.lastError}; starting again from the saved state in ${s.retryBaseMs} ms`);
        // The saved state is the truth: whatever was read but not saved is read again.
        pending = undefined;
        await follower?.close().catch(() => undefined);
        follower = undefined;
        await sleep(s.retryBaseMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  logger.info(`dev stand-in for Fluent Bit (not Fluent Bit itself): following ${s.file}, posting to ${s.url.origin}${s.url.pathname}${s.url.search}`);
  const running = run()
    .catch((error: unknown) => logger.error(`stopped by an unexpected error: ${(error as Error).message}`))
    .finally(async () => {
      changes.close();
      await follower?.close().catch(() => undefined);
      stats.running = false;
    });

  return {
    async stop() {
      abort.abort();
      await running;
    },
    stats: () => ({ ...stats, position: stats.position && { ...stats.position } }),
  };
}
