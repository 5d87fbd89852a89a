import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/db.ts';

// Embedded mode keeps the gateway's memory down (BENCHMARKS.md, memory): small shared buffers
// by default, PGLITE_OPTIONS to change them, and initdb in a process of its own.
describe('embedded PGlite settings', () => {
  let dataDir: string;
  const saved = process.env.PGLITE_OPTIONS;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'logpulse-pglite-settings-'));
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.PGLITE_OPTIONS;
    else process.env.PGLITE_OPTIONS = saved;
    await rm(dataDir, { recursive: true, force: true });
  });

  const sharedBuffers = async (db: Database) => {
    const { rows } = await db.pool.query<{ value: string }>(`SELECT current_setting('shared_buffers') AS value`);
    return rows[0]?.value;
  };

  it('creates a fresh database and runs it with 16 MB of shared buffers, then with what PGLITE_OPTIONS says', async () => {
    delete process.env.PGLITE_OPTIONS;
    const db = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      await access(join(dataDir, 'pglite', 'PG_VERSION'));
      expect(await sharedBuffers(db)).toBe('16MB');
      await db.pool.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    } finally {
      await db.close();
    }

    process.env.PGLITE_OPTIONS = '-c shared_buffers=32MB';
    const reopened = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      expect(await sharedBuffers(reopened)).toBe('32MB');
      // The same database, not a new one.
      expect((await reopened.pool.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    } finally {
      await reopened.close();
    }
  });

  it('refuses settings PostgreSQL does not know with an error that names PGLITE_OPTIONS', async () => {
    process.env.PGLITE_OPTIONS = '-c no_such_setting=1';
    await expect(openDatabase({ databaseUrl: undefined, dataDir })).rejects.toThrow(/PGLITE_OPTIONS/);
  });
});
