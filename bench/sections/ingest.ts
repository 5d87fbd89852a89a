import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { templateRoute } from '@logpulse/gateway/ingest/route-template';
import { startGateway, type GatewayProcess } from '@logpulse/testkit/gateway-process';
import { buildBodies, runIngestLoad, type IngestBody } from '../lib/ingest-load.ts';
import { processRssMb, ResourceSampler, type ResourceReport, type ServerCpuSampler } from '../lib/proc.ts';
import { createScratchDatabase, dropScratchDatabase, scratchName } from '../lib/scratch-db.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import { generateRecords, type AccessRecord } from '../lib/workload.ts';

export interface IngestOptions {
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  /** Records to pre-build bodies for (must outlast the run at the best expected rate). */
  records: number;
  minBatch: number;
  maxBatch: number;
  /** Rows for the COPY reference. */
  copyRows: number;
  pgliteDurationMs: number;
  pgliteConcurrency: number;
  /** Node flags for the PostgreSQL gateway, e.g. --cpu-prof. */
  gatewayNodeArgs?: string[];
  log: (line: string) => void;
}

export interface IngestRun {
  records: number;
  requests: number;
  failures: number;
  seconds: number;
  recordsPerSecond: number;
  /** Slowest and fastest whole second of the run. */
  minSecond: number;
  maxSecond: number;
  ackMs: Summary;
  resources: ResourceReport;
  /** Gateway RSS after start, before any load. */
  idleRssMb: number | null;
  /** CPU time per stored record, in µs (cores × seconds / records). */
  gatewayCpuUsPerRecord: number | null;
  postgresCpuUsPerRecord: number | null;
  exhausted: boolean;
  /** CPU seconds of each database server's backends during the run (Citus: per node). */
  serverCpuSeconds?: Record<string, number>;
  firstError?: string;
}

export interface IngestResult {
  concurrency: number;
  pgliteConcurrency: number;
  batch: { min: number; max: number; meanRecords: number; meanGzipBytes: number; meanJsonBytes: number };
  postgres: IngestRun;
  copy: { rows: number; seconds: number; rowsPerSecond: number };
  /** HTTP ingest rate over COPY rate (budget ≥ 0.5). */
  ratio: number;
  pglite: IngestRun | null;
  /** Rows in the gateway's tables after the run, to show what it wrote besides the raw rows. */
  stored: { logs: number; rollupMinute: number; rollupHour: number; batches: number; logsBytesPerRecord: number };
}

/**
 * Ingest throughput through a gateway process on PostgreSQL (pre-built gzip json_lines bodies,
 * `concurrency` keep-alive connections), then the physical reference: the same kind of rows
 * loaded with COPY FROM STDIN into a table of the same shape (LIKE logs INCLUDING ALL) in the
 * same database; then the same load on embedded PGlite.
 */
export async function benchIngest(options: IngestOptions): Promise<IngestResult> {
  const now = Date.now();
  options.log(`ingest: building ${options.records.toLocaleString('en')} records of request bodies`);
  const bodies = await buildBodies({
    count: options.records,
    from: now - 10 * 60_000,
    to: now,
    minBatch: options.minBatch,
    maxBatch: options.maxBatch,
    seed: 7,
    idPrefix: 'ing',
  });
  const batch = {
    min: options.minBatch,
    max: options.maxBatch,
    meanRecords: options.records / bodies.length,
    meanGzipBytes: bodies.reduce((s, b) => s + b.body.length, 0) / bodies.length,
    meanJsonBytes: bodies.reduce((s, b) => s + b.bytes, 0) / bodies.length,
  };

  const scratch = scratchName('ingest');
  const url = await createScratchDatabase(scratch);
  const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-'));
  let gateway: GatewayProcess | null = null;
  try {
    gateway = await startGateway({ databaseUrl: url, dataDir, nodeArgs: options.gatewayNodeArgs });
    options.log(
      `ingest: PostgreSQL gateway up (pid ${gateway.pid}); ${options.warmupMs} ms warm-up, then ${options.durationMs} ms at concurrency ${options.concurrency}`,
    );
    await checkpoint(url);
    const postgres = await measure(gateway, bodies, options.concurrency, options.warmupMs, options.durationMs, scratch);
    options.log(
      `ingest: PostgreSQL ${Math.round(postgres.recordsPerSecond).toLocaleString('en')} records/s, ack p50 ${postgres.ackMs.p50?.toFixed(0)} ms p99 ${postgres.ackMs.p99?.toFixed(0)} ms`,
    );
    await gateway.stop();
    gateway = null;
    const stored = await storedCounts(url);
    options.log(
      `ingest: ${stored.logs.toLocaleString('en')} rows stored, logs table ${stored.logsBytesPerRecord.toFixed(1)} bytes per record (indexes included)`,
    );

    options.log(`ingest: COPY reference, ${options.copyRows.toLocaleString('en')} rows`);
    const copy = await copyReference(url, options.copyRows, now);
    options.log(`ingest: COPY ${Math.round(copy.rowsPerSecond).toLocaleString('en')} rows/s`);

    let pglite: IngestRun | null = null;
    if (options.pgliteDurationMs > 0) {
      const pgliteDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-pglite-'));
      try {
        gateway = await startGateway({ dataDir: pgliteDir });
        options.log(`ingest: PGlite gateway up; ${options.pgliteDurationMs} ms at concurrency ${options.pgliteConcurrency}`);
        // Bodies not sent to PostgreSQL yet: PGlite is a different database, so reuse is fine too.
        pglite = await measure(gateway, bodies, options.pgliteConcurrency, Math.min(options.warmupMs, 2_000), options.pgliteDurationMs);
        options.log(`ingest: PGlite ${Math.round(pglite.recordsPerSecond).toLocaleString('en')} records/s`);
      } finally {
        await gateway?.stop();
        gateway = null;
        await rm(pgliteDir, { recursive: true, force: true });
      }
    }
    return {
      concurrency: options.concurrency,
      pgliteConcurrency: options.pgliteConcurrency,
      batch,
      postgres,
      copy,
      ratio: postgres.recordsPerSecond / copy.rowsPerSecond,
      pglite,
      stored,
    };
  } finally {
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await dropScratchDatabase(scratch);
  }
}

export async function measure(
  gateway: GatewayProcess,
  bodies: readonly IngestBody[],
  concurrency: number,
  warmupMs: number,
  durationMs: number,
  database?: string,
  servers?: ServerCpuSampler,
): Promise<IngestRun> {
  const idleRssMb = await processRssMb(gateway.pid);
  const warm = await runIngestLoad({ url: gateway.url, bodies, concurrency, durationMs: warmupMs });
  if (warm.failures > 0 && warm.accepted === 0) throw new Error(`ingest warm-up failed: ${warm.firstError}\n${gateway.output()}`);
  const sampler = new ResourceSampler(gateway.pid, database);
  await sampler.start();
  await servers?.start();
  const run = await runIngestLoad({ url: gateway.url, bodies, concurrency, durationMs, startAt: warm.nextBody });
  const resources = await sampler.stop();
  const serverCpuSeconds = await servers?.stop();
  const full = run.perSecond.slice(0, Math.floor(run.seconds));
  const perRecord = (cores: number | null) =>
    cores === null || run.accepted === 0 ? null : (cores * resources.seconds * 1e6) / run.accepted;
  return {
    records: run.accepted,
    requests: run.requests,
    failures: run.failures,
    seconds: run.seconds,
    recordsPerSecond: run.accepted / run.seconds,
    minSecond: full.length ? Math.min(...full) : 0,
    maxSecond: full.length ? Math.max(...full) : 0,
    ackMs: summarize(run.ackMs),
    resources,
    idleRssMb,
    gatewayCpuUsPerRecord: perRecord(resources.gatewayCpuCores),
    postgresCpuUsPerRecord: perRecord(resources.postgresCpuCores),
    exhausted: run.exhausted,
    ...(serverCpuSeconds ? { serverCpuSeconds } : {}),
    ...(run.firstError ? { firstError: run.firstError } : {}),
  };
}

async function checkpoint(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CHECKPOINT');
  await client.end();
}

async function storedCounts(url: string): Promise<IngestResult['stored']> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ logs: string; m: string; h: string; b: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM logs)::text AS logs, (SELECT count(*) FROM rollup_minute)::text AS m,
              (SELECT count(*) FROM rollup_hour)::text AS h, (SELECT count(*) FROM ingest_batches)::text AS b,
              pg_total_relation_size('logs')::text AS bytes`,
    );
    const r = rows[0]!;
    // Raw table with its indexes and TOAST, per stored row (the design's on-disk budget).
    const logsBytesPerRecord = Number(r.logs) > 0 ? Number(r.bytes) / Number(r.logs) : 0;
    return { logs: Number(r.logs), rollupMinute: Number(r.m), rollupHour: Number(r.h), batches: Number(r.b), logsBytesPerRecord };
  } finally {
    await client.end();
  }
}

/** COPY text format: tab-separated, \N for NULL, backslash escapes. */
function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function copyLine(r: AccessRecord, batchId: string): string {
  return (
    [
      new Date(r.time).toISOString(),
      r.service,
      r.method,
      r.path,
      templateRoute(r.path),
      r.status,
      r.latencyMs,
      r.userAgent,
      r.ip,
      r.requestId,
      r.bytes,
      null,
      batchId,
    ]
      .map(copyField)
      .join('\t') + '\n'
  );
}

/**
 * The physical reference: `rows` records (the same generator, seed and shape as the HTTP run,
 * routes templated the same way) written as COPY text in memory first, then streamed with
 * COPY FROM STDIN into an empty table with the same columns, defaults and indexes as `logs`.
 */
async function copyReference(url: string, rows: number, now: number): Promise<IngestResult['copy']> {
  const chunks: Buffer[] = [];
  let text = '';
  let i = 0;
  for (const r of generateRecords({ count: rows, from: now - 10 * 60_000, to: now, seed: 7, idPrefix: 'copy' })) {
    text += copyLine(r, `copy-${Math.floor(i++ / 1000)}`);
    if (text.length > 1 << 20) {
      chunks.push(Buffer.from(text));
      text = '';
    }
  }
  if (text) chunks.push(Buffer.from(text));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE logs INCLUDING ALL)');
    await client.query('CHECKPOINT');
    const started = performance.now();
    await pipeline(
      Readable.from(chunks),
      client.query(
        copyFrom(
          'COPY bench_copy (timestamp, service, method, path, route, status, latency_ms, user_agent, ip_address, request_id, bytes, extra, batch_id) FROM STDIN',
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const { rows: count } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM bench_copy');
    if (Number(count[0]!.n) !== rows) throw new Error(`COPY stored ${count[0]!.n} of ${rows} rows`);
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await client.end();
  }
}
