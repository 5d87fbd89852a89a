import pg from 'pg';

/** Where scratch databases are created: any PostgreSQL the bench may create databases on. */
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Distinguishes this run's scratch databases from those of a run going on at the same time (CI, another shell). */
export const RUN_ID = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

/** A scratch database name private to this run. */
export function scratchName(base: string): string {
  return `logpulse_bench_${base}_${RUN_ID}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
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

export async function databaseExists(name: string): Promise<boolean> {
  return withAdmin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

/** Creates an empty database (dropping a leftover of the same name first). */
export async function createScratchDatabase(name: string): Promise<string> {
  await withAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${checkName(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(name);
}

export async function dropScratchDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${checkName(name)} WITH (FORCE)`));
}

export async function postgresVersion(): Promise<string> {
  return withAdmin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
}
