import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { cancelStatementsOnAbort } from './statement-cancel.ts';

export type DatabaseMode = 'postgres' | 'pglite';

/**
 * One database, whichever mode: a `pg` pool (the ingest hot path and the analytics SQL use it
 * directly) and a Prisma client built on the SAME pool through @prisma/adapter-pg.
 *
 * Embedded mode serves PGlite (real PostgreSQL compiled to WASM) on a private Unix socket with
 * @electric-sql/pglite-socket, so both modes share one driver, one adapter and one SQL dialect:
 * nothing in the gateway branches on the mode. PGlite has a single backend, so its pool holds a
 * single connection, which also serialises transactions correctly.
 */
export interface Database {
  mode: DatabaseMode;
  /** Queries (GraphQL analyses), migrations and background jobs. */
  pool: pg.Pool;
  /**
   * Ingest's own connections, and one for the readiness probe: a flood of expensive queries can
   * take every query connection, but never the ones ingest and /readyz need. (PGlite has one
   * backend, so there all three are the same single-connection pool.)
   */
  ingestPool: pg.Pool;
  healthPool: pg.Pool;
  prisma: PrismaClient;
  /**
   * The database has the Citus extension (a raw-log sample Citus cannot distribute takes another
   * form there). app.ts sets it once migrations have run; false until then, and always on PGlite.
   */
  citus: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; undefined selects embedded PGlite in `${dataDir}/pglite`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Per-statement limit on PostgreSQL (PGlite runs in-process and has no such timer). */
  statementTimeoutMs?: number;
  poolSize?: number;
  /** Connections reserved for ingest (INGEST_MAX_CONCURRENT batches write at once). */
  ingestPoolSize?: number;
}

// Every bigint/numeric from PostgreSQL arrives as a JS number where it is safe to: counts and
// sums in analyses never approach 2^53, and strings in results would leak into every caller.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/**
 * Session settings for PostgreSQL connections, sent as the startup `options` parameter. The
 * analyses are short aggregate queries over rollups: JIT compilation cost 90–145 ms per heavy
 * query at 10M rows and saved nothing, and the default 4 MB work_mem spilled their sorts and
 * hash aggregates to disk (BENCHMARKS.md). The standard libpq `PGOPTIONS` replaces them (set it
 * empty behind a pooler that rejects startup options); an `options` query parameter in
 * DATABASE_URL wins over both.
 */
const DEFAULT_SESSION_OPTIONS = '-c jit=off -c work_mem=32MB';

/**
 * Server settings of the embedded PGlite (`PGLITE_OPTIONS`, PGOPTIONS syntax). Its shared buffers
 * live in the WASM heap, which is resident from the start and never shrinks: PostgreSQL's default
 * 128 MB cost ~120 MB of the gateway's RSS. The data files are ordinary files, so a page missing
 * from shared buffers comes from the OS page cache (a copy, not a disk read), and a single-user
 * embedded database needs few buffers (BENCHMARKS.md, memory).
 */
const DEFAULT_PGLITE_OPTIONS = '-c shared_buffers=16MB';

function pgliteStartParams(options: string): string[] {
  return options.split(/\s+/).filter(Boolean);
}

/**
 * Creates a fresh embedded database (PGlite's initdb) in a short-lived node process. initdb runs
 * its own WASM instance: done in the gateway it pushed RSS past 1 GB and left ~100 MB of freed
 * but unreturned native memory behind for the life of the process (BENCHMARKS.md, memory).
 * No-op when the directory already holds a database.
 */
async function initdbApart(dir: string): Promise<void> {
  const exists = await access(join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const script = `import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create(process.argv[1]); await db.close();`;
  // Run from this package so the bare import resolves to the gateway's own PGlite.
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {
    cwd: import.meta.dirname,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`creating the embedded database in ${dir} failed (exit ${code}): ${stderr.trim()}`);
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const open = (max: number, role: string) => {
      const pool = new pg.Pool({
        connectionString: options.databaseUrl,
        max,
        connectionTimeoutMillis: 5_000,
        statement_timeout: options.statementTimeoutMs,
        application_name: `logpulse-gateway${role}`,
        options: process.env.PGOPTIONS ?? DEFAULT_SESSION_OPTIONS,
      });
      // An idle client losing its server must not crash the process: the next query reports it.
      pool.on('error', () => {});
      return pool;
    };
    const pool = open(options.poolSize ?? 10, '');
    // Analyses whose client went away are cancelled (statement-cancel.ts). PGlite below has one
    // backend busy with the very statement to cancel, and no second connection to ask from.
    cancelStatementsOnAbort(pool);
    const ingestPool = open(options.ingestPoolSize ?? 4, '-ingest');
    const healthPool = open(1, '-health');
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      mode: 'postgres',
      pool,
      ingestPool,
      healthPool,
      prisma,
      citus: false,
      async close() {
        await prisma.$disconnect();
        await Promise.all([pool.end(), ingestPool.end(), healthPool.end()]);
      },
    };
  }

  const dir = join(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  // Loaded only in embedded mode: the WASM build costs ~40 MB of RSS a PostgreSQL gateway never uses.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
  await initdbApart(dir);
  const settings = process.env.PGLITE_OPTIONS ?? DEFAULT_PGLITE_OPTIONS;
  const pglite = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, ...pgliteStartParams(settings)] }).catch(
    (error: unknown) => {
      throw new Error(`embedded PGlite did not start with settings "${settings}" (PGLITE_OPTIONS): ${(error as Error).message}`, {
        cause: error,
      });
    },
  );
  const socketDir = await mkdtemp(join(tmpdir(), 'logpulse-pg-'));
  const server = new PGLiteSocketServer({ db: pglite, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 1 });
  await server.start();
  const pool = new pg.Pool({ host: socketDir, port: 5432, user: 'postgres', database: 'postgres', max: 1, idleTimeoutMillis: 0 });
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    mode: 'pglite',
    pool,
    ingestPool: pool,
    healthPool: pool,
    prisma,
    citus: false,
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await server.stop();
      await pglite.close();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` inside one transaction on one pooled connection; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** True for errors that mean "the database is unreachable or overloaded" (answer 503, retry later). */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'ENOENT', 'EHOSTUNREACH'].includes(code)) return true;
  // 08: connection exception, 53: insufficient resources, 57P: operator intervention (shutdown),
  // 57014: statement timeout / cancel, 40001/40P01: serialisation failure / deadlock (retryable).
  if (/^(08|53|57P)/.test(code) || ['57014', '40001', '40P01'].includes(code)) return true;
  return /timeout|terminat|Connection terminated|connect|not queryable|Client has encountered a connection error/i.test(error.message);
}

/** True for PostgreSQL's "canceling statement due to statement timeout" (57014), however wrapped. */
export function isStatementTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, originalCode, message } = e as { code?: unknown; originalCode?: unknown; message?: unknown };
    if (code === '57014' || originalCode === '57014') return true;
    if (typeof message === 'string' && /statement timeout/i.test(message)) return true;
  }
  return false;
}
