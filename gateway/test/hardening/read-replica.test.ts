// A query-only gateway on a read-only database (what a PostgreSQL read replica is to it) beside a
// primary gateway: it becomes ready without migrating, answers analyses and live subscriptions
// (through Redis), and refuses ingest with a retryable 503.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, createTestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, subscribe, waitLive, wsClient, type LogStreamData } from '../live/support.ts';
import { waitFor } from './support.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('query-only gateway on a read replica', () => {
  it('serves analyses and live logs from a read-only database, and refuses ingest with 503', async () => {
    const storage = await createTestStorage('postgres');
    cleanups.push(() => storage.drop());
    const redis = { REDIS_URL, REDIS_CHANNEL_PREFIX: `logpulse-replica-${randomBytes(6).toString('hex')}:` };
    const primary: TestGateway = await startTestGateway('postgres', { storage, keepStorage: true, env: redis });
    cleanups.push(() => primary.close());

    // Every session of this role is read-only, as every session on a hot standby is.
    const reader = `lp_reader_${randomBytes(4).toString('hex')}`;
    await admin(`CREATE ROLE ${reader} LOGIN SUPERUSER`);
    await admin(`ALTER ROLE ${reader} SET default_transaction_read_only = on`);
    cleanups.push(() => admin(`DROP ROLE IF EXISTS ${reader}`));
    const replicaUrl = new URL(storage.databaseUrl!);
    replicaUrl.username = reader;
    const replica: TestGateway = await startTestGateway('postgres', {
      storage: { ...storage, databaseUrl: replicaUrl.toString() },
      keepStorage: true,
      env: redis,
    });
    cleanups.push(() => replica.close());

    await waitFor('the replica gateway to be ready', async () => (await fetch(`${replica.url}/readyz`)).status === 200, 20_000);
    const live = wsClient(replica.url);
    cleanups.push(async () => {
      await live.dispose();
    });
    const stream = subscribe<LogStreamData>(live, LOG_STREAM, { filter: { service: 'replicated-read' } });
    await waitLive(stream);

    const records = Array.from({ length: 20 }, (_, i) =>
      record({ service: 'replicated-read', path: `/r/${i}`, status: i % 4 ? 200 : 500 }),
    );
    expect((await primary.ingest(jsonLines(records))).status).toBe(200);

    await waitFor('the live records on the replica gateway', () => logsOf(stream).length >= records.length);
    const services = await replica.graphql<{ services: { service: string; count: number; serverErrors: number }[] }>(
      `{ services(range: {last: "1h"}) { service count serverErrors } }`,
    );
    expect(services.errors).toBeUndefined();
    expect(services.data?.services).toEqual([{ service: 'replicated-read', count: 20, serverErrors: 5 }]);

    const refused = await replica.ingest(jsonLines([record({ path: '/not-here' })]));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });
});
