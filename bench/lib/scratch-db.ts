import pg from 'pg';

/** Where scratch databases are created: any PostgreSQL the bench may create databases on. */
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The database server(s) a section measures: one PostgreSQL, or a Citus cluster. */
export interface BenchTarget {
  label: string;
  /** The `postgres` database of the single server or of the Citus coordinator. */
  adminUrl: string;
  /** Citus workers (host:port of their `postgres` database); a scratch database is created on each and registered. */
  citusWorkers?: string[];
}

export const SINGLE_NODE: BenchTarget = { label: 'PostgreSQL', adminUrl: ADMIN_URL };

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Distinguishes this run's scratch databases from those of a run going on at the same time (CI, another shell). */
export const RUN_ID = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

/** A scratch database name private to this run. */
export function scratchName(base: string): string {
  return `logpulse_bench_${base}_${RUN_ID}`;
}

export function databaseUrl(name: string, target: BenchTarget = SINGLE_NODE): string {
  const url = new URL(target.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>, adminUrl = ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid scratch database name "${name}"`);
  return name;
}

export async function databaseExists(name: string, target: BenchTarget = SINGLE_NODE): Promise<boolean> {
  return withAdmin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1, target.adminUrl);
}

/**
 * Creates an empty database (dropping a leftover of the same name first). On Citus: on every
 * node, with the citus extension, and the workers registered with the coordinator, so the
 * gateway distributes its tables when it migrates.
 */
export async function createScratchDatabase(name: string, target: BenchTarget = SINGLE_NODE): Promise<string> {
  const workers = target.citusWorkers ?? [];
  for (const adminUrl of [target.adminUrl, ...workers.map((w) => `postgresql://postgres@${w}/postgres`)]) {
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${checkName(name)} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name}`);
    }, adminUrl);
    if (workers.length) await withAdmin((c) => c.query('CREATE EXTENSION citus'), databaseUrlAt(adminUrl, name));
  }
  if (workers.length) {
    await withAdmin(
      async (c) => {
        const coordinator = new URL(target.adminUrl);
        await c.query('SELECT citus_set_coordinator_host($1, $2)', [coordinator.hostname, Number(coordinator.port || 5432)]);
        for (const w of workers) {
          const [host, port] = w.split(':');
          await c.query('SELECT citus_add_node($1, $2)', [host, Number(port)]);
        }
      },
      databaseUrl(name, target),
    );
  }
  return databaseUrl(name, target);
}

export async function dropScratchDatabase(name: string, target: BenchTarget = SINGLE_NODE): Promise<void> {
  const workers = (target.citusWorkers ?? []).map((w) => `postgresql://postgres@${w}/postgres`);
  for (const adminUrl of [target.adminUrl, ...workers])
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${checkName(name)} WITH (FORCE)`), adminUrl);
}

function databaseUrlAt(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function postgresVersion(): Promise<string> {
  return withAdmin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
}
