// Real PostgreSQL 15 servers for the scale-out tests: a Citus cluster started by the project's own
// script (deploy/citus/local-cluster.sh) and a primary with a streaming hot standby.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../deploy/citus/local-cluster.sh', import.meta.url));
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const AS_ROOT = userInfo().uid === 0;

/** Ports nothing listens on right now (the OS hands out a fresh ephemeral port each time). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      const server = createServer();
      return new Promise<typeof server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Runs SQL on one server (a fresh connection each time). */
export async function sqlAt<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export interface CitusCluster {
  /** The coordinator's `logpulse` database: what a gateway's DATABASE_URL points at. */
  url: string;
  ports: number[];
  /** A further database on every node with the citus extension and the workers registered. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why a test that starts its own PostgreSQL servers cannot run here, or null when it can. */
export function serverBinariesMissing(): string | null {
  return existsSync(`${PG_BIN}/initdb`)
    ? null
    : `no PostgreSQL 15 server binaries in ${PG_BIN} (set PG_BIN; Debian: apt-get install postgresql-15)`;
}

/** Why the Citus tests cannot run here, or null when they can. */
export function citusUnavailable(): string | null {
  return process.env.CITUS_TARBALL
    ? null
    : 'CITUS_TARBALL is unset: the Citus tests need a Citus build for PostgreSQL 15 (CI sets it; see deploy/citus/local-cluster.sh)';
}

/** Coordinator + 2 workers under a temp dir, through deploy/citus/local-cluster.sh. */
export async function startCitusCluster(): Promise<CitusCluster> {
  const root = join(await ownedTempDir('logpulse-citus-'), 'cluster');
  const ports = await freePorts(3);
  const stop = () => run(SCRIPT, ['stop', root]).then(() => rm(join(root, '..'), { recursive: true, force: true }));
  try {
    const { stdout } = await run(SCRIPT, ['start', root, ...ports.map(String)], {
      env: { ...process.env, CITUS_SHARD_COUNT: '8', LOCAL_CLUSTER_UNSAFE_FAST: '1' },
    });
    const url = /DATABASE_URL=(\S+)/.exec(stdout)?.[1];
    if (!url) throw new Error(`local-cluster.sh printed no DATABASE_URL:\n${stdout}`);
    return {
      url,
      ports,
      async createDatabase(name) {
        const at = (port: number, db: string) => `postgresql://postgres@127.0.0.1:${port}/${db}`;
        for (const port of ports) {
          await sqlAt(at(port, 'postgres'), `CREATE DATABASE ${name}`);
          await sqlAt(at(port, name), 'CREATE EXTENSION citus');
        }
        await sqlAt(at(ports[0]!, name), `SELECT citus_set_coordinator_host('127.0.0.1', $1)`, [ports[0]]);
        for (const port of ports.slice(1)) await sqlAt(at(ports[0]!, name), `SELECT citus_add_node('127.0.0.1', $1)`, [port]);
        return at(ports[0]!, name);
      },
      stop: async () => void (await stop()),
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** A temp dir the server processes may write to (as root they run as `postgres`). */
async function ownedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  if (AS_ROOT) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, uid, Number(gid.trim()));
  }
  return dir;
}

async function asPostgres(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return AS_ROOT ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
}

export interface StreamingPair {
  primaryUrl: string;
  standbyUrl: string;
  /** pg_ctl promote on the standby: it leaves recovery and accepts writes. */
  promote(): Promise<void>;
  /** Stops the primary at once (a crash, as far as the standby can tell). */
  stopPrimary(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A fresh PostgreSQL 15 primary (wal_level=replica) and a hot standby made from it with
 * pg_basebackup, streaming from it, each on its own spare port. Both hold the database `logpulse`.
 */
export async function startStreamingPair(): Promise<StreamingPair> {
  const root = await ownedTempDir('logpulse-replica-');
  const [primaryPort, standbyPort] = await freePorts(2);
  const primary = join(root, 'primary');
  const standby = join(root, 'standby');
  const started: string[] = [];
  const stop = async () => {
    for (const dir of started.reverse())
      await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  const start = async (dir: string) => {
    started.push(dir);
    await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', dir, '-l', `${dir}.log`, '-w', '-t', '60', 'start']);
  };
  try {
    await asPostgres(`${PG_BIN}/initdb`, ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await appendFile(
      join(primary, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${primaryPort}`,
        `unix_socket_directories = '${root}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'hot_standby = on',
        'fsync = off',
        '',
      ].join('\n'),
    );
    // The standby connects over TCP for replication.
    await appendFile(join(primary, 'pg_hba.conf'), 'host replication postgres 127.0.0.1/32 trust\n');
    await start(primary);
    const primaryUrl = `postgresql://postgres@127.0.0.1:${primaryPort}/logpulse`;
    await sqlAt(`postgresql://postgres@127.0.0.1:${primaryPort}/postgres`, 'CREATE DATABASE logpulse');

    // -R writes primary_conninfo and standby.signal: the copy starts as a streaming hot standby.
    await asPostgres(`${PG_BIN}/pg_basebackup`, [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      standby,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    await writeFile(join(standby, 'postgresql.auto.conf'), `port = ${standbyPort}\n`, { flag: 'a' });
    await start(standby);
    const standbyUrl = `postgresql://postgres@127.0.0.1:${standbyPort}/logpulse`;
    const recovery = await sqlAt<{ standby: boolean }>(standbyUrl, 'SELECT pg_is_in_recovery() AS standby');
    if (!recovery[0]?.standby) throw new Error('the standby is not in recovery');
    return {
      primaryUrl,
      standbyUrl,
      async promote() {
        await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', standby, '-w', 'promote']);
      },
      async stopPrimary() {
        await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', primary, '-m', 'immediate', '-w', 'stop']);
        started.splice(started.indexOf(primary), 1);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
