import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../lib/report.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Tracked files' changes and BENCHMARKS.md's content: equal before and after means nothing tracked moved. */
async function trackedState(): Promise<string> {
  const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return `${status}\n${await readFile(join(ROOT, 'BENCHMARKS.md'), 'utf8')}`;
}

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * Keeps `npm run bench` working: the quick mode runs end to end against real PostgreSQL, a real
 * gateway process, real subscribers and GoAccess, and writes a well-formed result. No timing is
 * asserted: the figures only mean something in a full run on a quiet machine.
 */
describe('npm run bench -- --quick', () => {
  let dir: string;
  let exitCode: number | null;
  let stdout = '';
  let stderr = '';
  let results: BenchResults;
  let trackedBefore: string;
  let trackedAfter: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logpulse-bench-test-'));
    trackedBefore = await trackedState();
    // Without --dry: a quick run must leave the checkout alone on its own.
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--results', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    trackedAfter = await trackedState();
    const files = (await readdir(dir)).filter((f) => f.endsWith('-quick.json'));
    expect(files, `no result file; stderr:\n${stderr.slice(-3000)}`).toHaveLength(1);
    results = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as BenchResults;
  }, 420_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes without errors and prints the Markdown report', () => {
    expect(results.errors, stderr.slice(-3000)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(results.mode).toBe('quick');
    expect(stdout).toContain('### Budgets');
    expect(stdout).toContain('### Ingest throughput');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.postgres).toMatch(/^\d+/);
  });

  it('modifies no tracked file (BENCHMARKS.md is for full runs) and writes its report next to the JSON', async () => {
    expect(trackedAfter).toBe(trackedBefore);
    const reports = (await readdir(dir)).filter((f) => f.endsWith('-quick.md'));
    expect(reports).toHaveLength(1);
    expect(await readFile(join(dir, reports[0]!), 'utf8')).toContain('### Ingest throughput');
  });

  it('measures ingest through the gateway, the COPY reference and PGlite', () => {
    const ingest = results.ingest!;
    expect(ingest.postgres.records).toBeGreaterThan(0);
    expect(ingest.postgres.failures).toBe(0);
    expect(ingest.postgres.ackMs.n).toBe(ingest.postgres.requests);
    expect(ingest.postgres.resources.gatewayRssMbPeak).toBeGreaterThan(0);
    expect(ingest.copy.rows).toBe(50_000);
    expect(ingest.ratio).toBeCloseTo(ingest.postgres.recordsPerSecond / ingest.copy.rowsPerSecond);
    // Everything acknowledged was stored, rollups included (warm-up records are stored too).
    expect(ingest.stored.logs).toBeGreaterThanOrEqual(ingest.postgres.records);
    expect(ingest.stored.rollupMinute).toBeGreaterThan(0);
    expect(ingest.pglite!.records).toBeGreaterThan(0);
  });

  it('times every analysis of the schema for every range and size, without GraphQL errors', async () => {
    const analyses = results.analyses!;
    const schema = await readFile(join(ROOT, 'schema.graphql'), 'utf8');
    for (const name of ['traffic', 'endpointUsage', 'errorDistribution', 'recentLogs']) {
      expect(schema).toContain(`${name}(`);
      expect(analyses.timings.some((t) => t.analysis === name)).toBe(true);
    }
    const names = new Set(analyses.timings.map((t) => t.analysis));
    expect(analyses.timings).toHaveLength(names.size * 3 * 2);
    expect(analyses.timings.filter((t) => t.error)).toEqual([]);
    for (const t of analyses.timings) expect(t.timing.n).toBe(analyses.runs);
    for (const d of analyses.datasets) expect(d.verified).toEqual({ compared: expect.any(Number), mismatches: 0 });
  });

  it('delivers live records to every subscriber', () => {
    const live = results.live!;
    expect(live.acceptedRecords).toBeGreaterThan(0);
    expect(live.expectedDeliveries).toBe(live.acceptedRecords * live.subscribers);
    expect(live.deliveries + live.missing).toBe(live.expectedDeliveries);
    expect(live.latencyMs.n).toBe(live.deliveries);
    expect(live.deliveries).toBeGreaterThan(0);
  });

  it('runs GoAccess and logpulse over the same requests', () => {
    const g = results.goaccess!;
    expect(g.logpulse.accepted).toBe(20_000);
    expect(g.logpulse.totalRequests).toBe(20_000);
    expect(g.goaccess?.totalRequests).toBe(20_000);
  });

  it('measures the CPU of an idle dev shipper, which still picks up a new line', () => {
    const idle = results.idle!;
    expect(idle.seconds).toBeGreaterThan(0);
    expect(idle.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(idle.pickupMs).toBeGreaterThan(0);
  });

  it('samples the gateway RSS during npm start in both storage modes', () => {
    const runs = results.memory!.runs;
    expect(runs.map((r) => r.mode).sort()).toEqual(['pglite', 'postgres']);
    for (const run of runs) {
      expect(run.steadyMeanRssMb).toBeGreaterThan(0);
      expect(run.hwmRssMb).toBeGreaterThanOrEqual(run.peakRssMb!);
      expect(run.queryErrors).toBe(0);
    }
  });

  it('splits the bytes on disk per record by table and index', () => {
    const storage = results.storage!;
    expect(storage.records).toBe(20_000);
    const logs = storage.tables.find((t) => t.table === 'logs')!;
    expect(logs.indexes.map((i) => i.name)).toContain('logs_pkey');
    expect(storage.totalBytes).toBe(storage.tables.reduce((sum, t) => sum + t.totalBytes, 0));
    expect(storage.bytesPerRecord).toBeGreaterThan(0);
  });

  it('leaves no scratch database behind', async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
      const runId = /_(\w+)$/.exec(results.analyses!.datasets[0]!.name)?.[1];
      expect(runId).toBeTruthy();
      expect(rows.filter((r) => r.datname.startsWith('logpulse_bench_') && r.datname.endsWith(`_${runId}`))).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
