import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/** The local PostgreSQL every test run uses (CI starts it if it is down). */
export const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export type StorageMode = 'postgres' | 'pglite';

export interface TestStorage {
  mode: StorageMode;
  /** DATABASE_URL for postgres mode; undefined for embedded mode. */
  databaseUrl: string | undefined;
  /** DATA_DIR for embedded mode (a fresh copy of the migrated template). */
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind, removed by drop(). */
export async function createTestStorage(mode: StorageMode): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-test-'));
  if (mode === 'pglite') {
    await cp(inject('pgliteTemplateDir'), join(dataDir, 'pglite'), { recursive: true });
    return { mode, databaseUrl: undefined, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `logpulse_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    mode,
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Both storage modes, for `describe.each(STORAGE_MODES)`. */
export const STORAGE_MODES: StorageMode[] = ['postgres', 'pglite'];
