import { afterAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway } from '../support/gateway.ts';

describe('embedded PGlite restart', () => {
  let storage: TestStorage;
  afterAll(async () => {
    await storage?.drop();
  });

  it('keeps stored data and batch digests across a stop and start on the same data dir', async () => {
    storage = await createTestStorage('pglite');
    const body = jsonLines(Array.from({ length: 50 }, (_, i) => ({ timestamp: new Date().toISOString(), path: `/r/${i}`, method: 'GET', status: 200, latency_ms: i })));
    const first = await startTestGateway('pglite', { storage, keepStorage: true });
    expect(await (await first.ingest(body)).json()).toMatchObject({ accepted: 50, duplicate: false });
    await first.close();

    const second = await startTestGateway('pglite', { storage, keepStorage: true });
    try {
      const n = await second.app.database!.pool.query('SELECT count(*)::int AS n FROM logs');
      expect(n.rows[0].n).toBe(50);
      // The retry of a batch stored before the restart is still recognised.
      expect(await (await second.ingest(body)).json()).toMatchObject({ accepted: 50, duplicate: true });
    } finally {
      await second.close();
    }
  });
});
