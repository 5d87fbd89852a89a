import { execFile, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startGateway } from '@logpulse/testkit/gateway-process';
import { GraphQLClient } from '../lib/graphql-client.ts';
import { buildBodies, runIngestLoad } from '../lib/ingest-load.ts';
import { createScratchDatabase, dropScratchDatabase, scratchName } from '../lib/scratch-db.ts';
import { combinedLine, generateRecords, GOACCESS_LOG_FORMAT } from '../lib/workload.ts';

const execFileAsync = promisify(execFile);

export interface GoAccessOptions {
  records: number;
  concurrency: number;
  log: (line: string) => void;
}

export interface GoAccessResult {
  records: number;
  logBytes: number;
  goaccess: { version: string; seconds: number; htmlBytes: number; jsonBytes: number; totalRequests: number | null } | null;
  logpulse: {
    ingestSeconds: number;
    querySeconds: number;
    seconds: number;
    accepted: number;
    queries: string[];
    totalRequests: number | null;
  };
  /** logpulse seconds / GoAccess seconds. */
  ratio: number | null;
  note?: string;
}

/** The logpulse side of "an overview": what a dashboard's first page asks for. */
const OVERVIEW = {
  services: 'services(range: $range) { service count errorRate p95 }',
  traffic: 'traffic(range: $range) { bucketSeconds points { bucket requests errors p50 p95 p99 } }',
  endpointUsage: 'endpointUsage(range: $range) { service method route count share errorRate p50 p95 p99 }',
  errorDistribution: 'errorDistribution(range: $range) { total errors errorRate byStatus { status count share } }',
  statusEndpointTop: 'statusEndpointTop(range: $range) { status count endpoints { route method count } }',
  slowEndpoints: 'slowEndpoints(range: $range) { route method p95 p99 count }',
  patterns: 'patterns(range: $range) { total byHour { hour requests } topUserAgents { value count } topClientIps { value count } }',
};

/** Installs GoAccess with apt-get when it is missing (the bench runs as root on Debian); false when that fails. */
function ensureGoAccess(log: (line: string) => void): boolean {
  if (spawnSync('goaccess', ['--version']).status === 0) return true;
  log('goaccess: not installed, trying apt-get install -y goaccess');
  const install = spawnSync('sh', ['-c', 'apt-get install -y goaccess || (apt-get update && apt-get install -y goaccess)'], {
    stdio: 'ignore',
  });
  return install.status === 0 && spawnSync('goaccess', ['--version']).status === 0;
}

/**
 * The same requests two ways: GoAccess parsing a combined-format access log and writing its
 * HTML and JSON reports, vs logpulse ingesting the same records over HTTP (gzip json_lines, as
 * Fluent Bit ships them) into PostgreSQL and answering its overview queries.
 */
export async function benchGoAccess(options: GoAccessOptions): Promise<GoAccessResult> {
  const dir = await mkdtemp(join(tmpdir(), 'logpulse-bench-goaccess-'));
  const now = Date.now();
  const from = now - 86_400_000;
  const generate = () => generateRecords({ count: options.records, from, to: now, seed: 11, idPrefix: 'ga' });
  try {
    const logPath = join(dir, 'access.log');
    const out = createWriteStream(logPath);
    let chunk = '';
    for (const r of generate()) {
      chunk += combinedLine(r);
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        chunk = '';
      }
    }
    out.end(chunk);
    await new Promise<void>((resolve) => out.once('finish', () => resolve()));
    const logBytes = (await stat(logPath)).size;

    let goaccess: GoAccessResult['goaccess'] = null;
    let note: string | undefined;
    if (ensureGoAccess(options.log)) {
      const version = spawnSync('goaccess', ['--version']).stdout.toString().split('\n')[0]?.trim() ?? 'goaccess';
      options.log(`goaccess: parsing ${options.records.toLocaleString('en')} lines (${(logBytes / 1e6).toFixed(0)} MB)`);
      const html = join(dir, 'report.html');
      const json = join(dir, 'report.json');
      const started = performance.now();
      await execFileAsync(
        'goaccess',
        [
          logPath,
          '--no-global-config',
          `--log-format=${GOACCESS_LOG_FORMAT}`,
          '--date-format=%d/%b/%Y',
          '--time-format=%H:%M:%S',
          '--no-progress',
          '-o',
          html,
          '-o',
          json,
        ],
        { maxBuffer: 16 << 20 },
      );
      const seconds = (performance.now() - started) / 1000;
      const report = JSON.parse(await readFile(json, 'utf8')) as { general?: { total_requests?: number } };
      goaccess = {
        version,
        seconds,
        htmlBytes: (await stat(html)).size,
        jsonBytes: (await stat(json)).size,
        totalRequests: report.general?.total_requests ?? null,
      };
      options.log(`goaccess: ${seconds.toFixed(1)} s`);
    } else {
      note = 'GoAccess is not installed and apt-get could not install it';
    }

    const bodies = await buildBodies({ count: options.records, from, to: now, minBatch: 1000, maxBatch: 1000, seed: 11, idPrefix: 'ga' });
    const db = scratchName('goaccess');
    const url = await createScratchDatabase(db);
    const gateway = await startGateway({ databaseUrl: url, dataDir: dir });
    const client = new GraphQLClient(gateway.url);
    try {
      options.log(`goaccess: logpulse ingesting the same ${options.records.toLocaleString('en')} records`);
      const started = performance.now();
      const run = await runIngestLoad({ url: gateway.url, bodies, concurrency: options.concurrency, durationMs: 3_600_000 });
      if (run.failures > 0) throw new Error(`logpulse ingest failed: ${run.firstError}`);
      const ingested = performance.now();
      // Whole minutes around the data: analyses count a minute when its start lies in the range.
      const range = { from: new Date(from - 60_000).toISOString(), to: new Date(now + 60_000).toISOString() };
      const answers = await client.query<{ services: { count: number }[] }>(
        `query Overview($range: TimeRange!) { ${Object.entries(OVERVIEW)
          .map(([, q]) => q)
          .join('\n')} }`,
        { range },
      );
      const done = performance.now();
      const logpulse = {
        ingestSeconds: (ingested - started) / 1000,
        querySeconds: (done - ingested) / 1000,
        seconds: (done - started) / 1000,
        accepted: run.accepted,
        queries: Object.keys(OVERVIEW),
        totalRequests: answers.services.reduce((sum, s) => sum + s.count, 0),
      };
      options.log(
        `goaccess: logpulse ${logpulse.seconds.toFixed(1)} s (ingest ${logpulse.ingestSeconds.toFixed(1)} s, overview ${logpulse.querySeconds.toFixed(2)} s)`,
      );
      return {
        records: options.records,
        logBytes,
        goaccess,
        logpulse,
        ratio: goaccess ? logpulse.seconds / goaccess.seconds : null,
        ...(note ? { note } : {}),
      };
    } finally {
      await client.close();
      await gateway.stop();
      await dropScratchDatabase(db);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
