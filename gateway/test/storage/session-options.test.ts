import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/db.ts';
import { createTestStorage, type TestStorage } from '../support/databases.ts';

// The analyses rely on these session settings (BENCHMARKS.md: JIT and 4 MB work_mem cost
// 30–50 % of their time at 10M rows); operators must still be able to replace them.
describe('PostgreSQL session options', () => {
  let storage: TestStorage | undefined;
  let db: Database | undefined;
  const saved = process.env.PGOPTIONS;

  afterEach(async () => {
    await db?.close();
    await storage?.drop();
    db = storage = undefined;
    if (saved === undefined) delete process.env.PGOPTIONS;
    else process.env.PGOPTIONS = saved;
  });

  const settings = async (databaseUrl: string) => {
    db = await openDatabase({ databaseUrl, dataDir: storage!.dataDir });
    const { rows } = await db.pool.query<{ jit: string; work_mem: string }>(
      `SELECT current_setting('jit') AS jit, current_setting('work_mem') AS work_mem`,
    );
    return rows[0];
  };

  it('turns JIT off and raises work_mem by default', async () => {
    delete process.env.PGOPTIONS;
    storage = await createTestStorage('postgres');
    expect(await settings(storage.databaseUrl!)).toEqual({ jit: 'off', work_mem: '32MB' });
  });

  it('lets PGOPTIONS replace the defaults and the URL options parameter win over both', async () => {
    storage = await createTestStorage('postgres');
    process.env.PGOPTIONS = '-c work_mem=8MB';
    expect(await settings(storage.databaseUrl!)).toMatchObject({ work_mem: '8MB' });
    await db!.close();
    const url = new URL(storage.databaseUrl!);
    url.searchParams.set('options', '-c work_mem=16MB');
    expect(await settings(url.toString())).toMatchObject({ work_mem: '16MB' });
  });
});
