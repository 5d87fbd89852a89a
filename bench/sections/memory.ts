import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLClient } from '../lib/graphql-client.ts';
import { freePort, REPO_ROOT } from '@logpulse/testkit/gateway-process';
import { processRssMb } from '../lib/proc.ts';
import { createScratchDatabase, dropScratchDatabase, scratchName } from '../lib/scratch-db.ts';

export interface MemoryRun {
  mode: 'postgres' | 'pglite';
  /** Seconds from `npm start` to /readyz answering (a fresh PGlite runs initdb first). */
  readySeconds: number;
  /** Seconds of demo traffic (and dashboard queries) after the gateway was ready. */
  seconds: number;
  /** RSS when /readyz first answered. */
  readyRssMb: number | null;
  /** Highest RSS sampled once ready. */
  peakRssMb: number | null;
  /** The kernel's high-water mark of RSS since the gateway started (VmHWM), start-up included. */
  hwmRssMb: number | null;
  /** Mean and peak over the second half of the run, once the first-start history is ingested. */
  steadyMeanRssMb: number | null;
  steadyPeakRssMb: number | null;
  /** Dashboard overview queries answered during the run (a user with the dashboard open). */
  queries: number;
  queryErrors: number;
}

export interface MemoryResult {
  runs: MemoryRun[];
}

export interface MemoryOptions {
  /** Seconds to sample after the gateway is ready. */
  seconds: number;
  modes: ('postgres' | 'pglite')[];
  log: (line: string) => void;
}

/** What the dashboard's overview page asks every refresh, over the last 24 h. */
const OVERVIEW = `query MemoryOverview {
  services(range: { last: "24h" }) { service count errorRate p95 }
  traffic(range: { last: "24h" }) { bucketSeconds points { bucket requests errors p50 p95 p99 } }
  endpointUsage(range: { last: "24h" }) { service method route count errorRate p50 p95 p99 }
  errorDistribution(range: { last: "24h" }) { total errors errorRate byStatus { status count share } }
  recentLogs(first: 50) { edges { node { id timestamp method path status latencyMs } } }
}`;

/**
 * Gateway RSS during a fresh `npm start` — the real scripts/start.ts: gateway, demo target
 * server, dev shipper, first-start 24 h history backfill and demo traffic — on spare ports with
 * a temporary DATA_DIR and access log, in each storage mode, while a client asks the dashboard's
 * overview every 5 s. RSS of the gateway process from /proc every second.
 */
export async function benchMemory(options: MemoryOptions): Promise<MemoryResult> {
  const runs: MemoryRun[] = [];
  for (const mode of options.modes) runs.push(await runOnce(mode, options));
  return { runs };
}

async function runOnce(mode: 'postgres' | 'pglite', options: MemoryOptions): Promise<MemoryRun> {
  const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-memory-'));
  const database = mode === 'postgres' ? scratchName('memory') : undefined;
  const databaseUrl = database ? await createScratchDatabase(database) : undefined;
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    TARGET_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    ACCESS_LOG: join(dataDir, 'access.log'),
    DATABASE_URL: databaseUrl,
  };
  if (!databaseUrl) delete env.DATABASE_URL;
  const started = performance.now();
  // Its own process group, so every process of the stack can be stopped if the script hangs.
  const stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: REPO_ROOT, env, stdio: 'ignore', detached: true });
  const client = new GraphQLClient(`http://127.0.0.1:${port}`);
  try {
    const url = `http://127.0.0.1:${port}/readyz`;
    while (
      !(await fetch(url)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (stack.exitCode !== null) throw new Error(`npm start exited (${stack.exitCode}) before the gateway was ready`);
      if (performance.now() - started > 300_000) throw new Error('the gateway was not ready after 300 s');
      await sleep(250);
    }
    const readySeconds = (performance.now() - started) / 1000;
    const pid = await gatewayPid(stack.pid!);
    const samples: { at: number; mb: number }[] = [];
    const readyRssMb = await processRssMb(pid);
    let queries = 0;
    let queryErrors = 0;
    const from = performance.now();
    let nextQuery = from;
    while (performance.now() - from < options.seconds * 1000) {
      const mb = await processRssMb(pid);
      if (mb === null) throw new Error('the gateway exited during the run');
      samples.push({ at: performance.now() - from, mb });
      if (performance.now() >= nextQuery) {
        nextQuery += 5_000;
        const answer = await client.time(OVERVIEW, {});
        queries++;
        if (answer.error) queryErrors++;
      }
      await sleep(1_000);
    }
    const hwmRssMb = await processRssMb(pid, 'VmHWM');
    const steady = samples.filter((s) => s.at >= (options.seconds * 1000) / 2).map((s) => s.mb);
    const run: MemoryRun = {
      mode,
      readySeconds,
      seconds: (performance.now() - from) / 1000,
      readyRssMb,
      peakRssMb: samples.length ? Math.max(...samples.map((s) => s.mb)) : null,
      hwmRssMb,
      steadyMeanRssMb: steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : null,
      steadyPeakRssMb: steady.length ? Math.max(...steady) : null,
      queries,
      queryErrors,
    };
    options.log(
      `memory (${mode}): ready after ${readySeconds.toFixed(0)} s at ${run.readyRssMb?.toFixed(0)} MB; peak ${run.peakRssMb?.toFixed(0)} MB (${run.hwmRssMb?.toFixed(0)} MB since start), steady mean ${run.steadyMeanRssMb?.toFixed(0)} MB`,
    );
    return run;
  } finally {
    await client.close();
    await stopGroup(stack.pid!);
    await rm(dataDir, { recursive: true, force: true });
    if (database) await dropScratchDatabase(database);
  }
}

/** The gateway process `scripts/start.ts` spawned (a direct child running gateway/src/main.ts). */
async function gatewayPid(parent: number): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes('gateway/src/main.ts')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error('no gateway process under npm start');
}

/** SIGTERM as Ctrl-C would (start.ts stops its children in order), then SIGKILL the group if it lingers. */
async function stopGroup(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(); i++) await sleep(200);
  if (alive()) process.kill(-pid, 'SIGKILL');
}
