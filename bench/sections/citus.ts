import { execFile } from 'node:child_process';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO_ROOT, startGateway } from '@logpulse/testkit/gateway-process';
import { buildBodies } from '../lib/ingest-load.ts';
import { serverCpuSampler } from '../lib/proc.ts';
import { createScratchDatabase, dropScratchDatabase, scratchName, SINGLE_NODE, type BenchTarget } from '../lib/scratch-db.ts';
import { benchAnalyses, type AnalysesOptions, type AnalysesResult } from './analyses.ts';
import { measure, type IngestRun } from './ingest.ts';

const run = promisify(execFile);

/** A local Citus cluster (deploy/citus/local-cluster.sh) and the postmaster of each node. */
export interface LocalCitus {
  target: BenchTarget;
  /** Label → postmaster pid: coordinator, worker1, worker2. */
  postmasters: Record<string, number>;
  shardCount: number;
  stop(): Promise<void>;
}

/** `n` distinct ports nothing listens on (held open together, so the OS cannot hand one out twice). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The postmaster pid of a local server: the first line of postmaster.pid in its data directory. */
export async function postmasterPid(adminUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    return Number((await readFile(join(rows[0]!.dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } finally {
    await client.end();
  }
}

/**
 * Coordinator + 2 workers on this machine, durable (fsync on, as the single PostgreSQL it is
 * compared with). CITUS_SHARD_COUNT (default 32) and CITUS_TARBALL pass through to the script.
 */
export async function startLocalCitus(log: (line: string) => void): Promise<LocalCitus> {
  const parent = await mkdtemp(join(tmpdir(), 'logpulse-bench-citus-'));
  if (userInfo().uid === 0) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
    await chown(parent, await id('-u'), await id('-g'));
  }
  const root = join(parent, 'cluster');
  const script = join(REPO_ROOT, 'deploy/citus/local-cluster.sh');
  const ports = await freePorts(3);
  const stop = async () => {
    await run(script, ['stop', root]).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  };
  try {
    const env = { ...process.env, LOCAL_CLUSTER_UNSAFE_FAST: '0' };
    await run(script, ['start', root, ...ports.map(String)], { env });
    const admin = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres`;
    const postmasters: Record<string, number> = {};
    for (const [i, label] of ['coordinator', 'worker1', 'worker2'].entries()) postmasters[label] = await postmasterPid(admin(ports[i]!));
    const shardCount = Number(process.env.CITUS_SHARD_COUNT ?? 32);
    log(`citus: coordinator :${ports[0]}, workers :${ports[1]} :${ports[2]}, ${shardCount} shards per table`);
    return {
      target: {
        label: 'Citus (coordinator + 2 workers)',
        adminUrl: admin(ports[0]!),
        citusWorkers: ports.slice(1).map((p) => `127.0.0.1:${p}`),
      },
      postmasters,
      shardCount,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface CitusOptions {
  ingest?: { durationMs: number; warmupMs: number; concurrency: number; records: number; minBatch: number; maxBatch: number };
  analyses?: Omit<AnalysesOptions, 'target' | 'sampler' | 'log'>;
  log: (line: string) => void;
}

export interface CitusSideBySide {
  shardCount: number;
  workers: number;
  ingest?: { concurrency: number; single: IngestRun; citus: IngestRun };
  analyses?: { single: AnalysesResult; citus: AnalysesResult };
}

/**
 * The same ingest load and the same analyses against one PostgreSQL and against a local Citus
 * cluster, one after the other in the same run, with the CPU of each server's backends (per node
 * on Citus) for the per-record and per-query costs the projection in BENCHMARKS.md uses.
 */
export async function benchCitus(options: CitusOptions): Promise<CitusSideBySide> {
  const { log } = options;
  const single = { target: SINGLE_NODE, postmasters: { PostgreSQL: await postmasterPid(SINGLE_NODE.adminUrl) } };
  const citus = await startLocalCitus(log);
  const result: CitusSideBySide = { shardCount: citus.shardCount, workers: 2 };
  try {
    if (options.ingest) {
      const o = options.ingest;
      const now = Date.now();
      log(`citus ingest: building ${o.records.toLocaleString('en')} records of request bodies`);
      const bodies = await buildBodies({
        count: o.records,
        from: now - 10 * 60_000,
        to: now,
        minBatch: o.minBatch,
        maxBatch: o.maxBatch,
        seed: 7,
        idPrefix: 'cit',
      });
      const runs: IngestRun[] = [];
      for (const side of [single, citus]) {
        const database = scratchName('citus_ingest');
        const url = await createScratchDatabase(database, side.target);
        const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-'));
        const gateway = await startGateway({ databaseUrl: url, dataDir });
        try {
          const measured = await measure(
            gateway,
            bodies,
            o.concurrency,
            o.warmupMs,
            o.durationMs,
            database,
            serverCpuSampler(database, side.postmasters),
          );
          log(`citus ingest: ${side.target.label} ${Math.round(measured.recordsPerSecond).toLocaleString('en')} records/s`);
          runs.push(measured);
        } finally {
          await gateway.stop();
          await rm(dataDir, { recursive: true, force: true });
          await dropScratchDatabase(database, side.target);
        }
      }
      result.ingest = { concurrency: o.concurrency, single: runs[0]!, citus: runs[1]! };
    }
    if (options.analyses) {
      const analyses: AnalysesResult[] = [];
      for (const side of [single, citus]) {
        log(`citus analyses: ${side.target.label}`);
        analyses.push(
          await benchAnalyses({
            ...options.analyses,
            target: side.target,
            sampler: (database) => serverCpuSampler(database, side.postmasters),
            log,
          }),
        );
      }
      result.analyses = { single: analyses[0]!, citus: analyses[1]! };
    }
    return result;
  } finally {
    await citus.stop();
  }
}
