// The dev shipper against the real gateway (node:http + PostgreSQL), end to end.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestGateway, TEST_TOKEN } from '@logpulse/gateway/test-support/gateway';
import type { TestGateway } from '@logpulse/gateway/test-support/gateway';
import { waitFor } from './support/capture-server.ts';
import { accessLine, range, workspace } from '@logpulse/testkit/shipper-harness';

let gateway: TestGateway;
let ws: Awaited<ReturnType<typeof workspace>>;

beforeEach(async () => {
  gateway = await startTestGateway('postgres');
  ws = await workspace();
});

afterEach(async () => {
  await ws.cleanup();
  await gateway.close();
});

async function count(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: gateway.storage.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(sql);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

it('stores every line once, and a full resend from scratch is recognised as duplicates', async () => {
  await writeFile(
    ws.file,
    range(1, 30)
      .map((seq) => `${accessLine(seq)}\n`)
      .join(''),
  );
  const url = `${gateway.url}/log/ingest?service=shipper-it`;
  const first = ws.start({ url, token: TEST_TOKEN, batchMaxRecords: 10 });
  await waitFor('30 records acknowledged', () => first.stats().recordsSent === 30, 30_000);
  await first.stop();
  expect(await count(`SELECT count(*) AS n FROM logs WHERE service = 'shipper-it'`)).toBe(30);
  expect(
    await count(
      `SELECT count(*) AS n FROM logs WHERE service = 'shipper-it' AND path = '/api/users/7' AND status = 200 AND ip_address = '10.0.0.7'`,
    ),
  ).toBe(1);

  // The worst crash: a shipper that lost all its state ships the same batches, byte for byte.
  const again = ws.start({ url, token: TEST_TOKEN, batchMaxRecords: 10, stateDir: join(ws.dir, 'fresh-state') });
  await waitFor('the resend to be acknowledged', () => again.stats().batchesSent === 3, 30_000);
  expect(await count(`SELECT count(*) AS n FROM logs WHERE service = 'shipper-it'`)).toBe(30);
  expect(await count(`SELECT sum(duplicates) AS n FROM ingest_batches WHERE service = 'shipper-it'`)).toBe(3);
});

it('does not retry a 401: the batch is dropped, as Fluent Bit does', async () => {
  await writeFile(ws.file, `${accessLine(1)}\n`);
  const shipper = ws.start({ url: `${gateway.url}/log/ingest`, token: 'wrong-token' });
  await waitFor('the batch to be dropped', () => shipper.stats().batchesDropped === 1, 30_000);
  expect(shipper.stats()).toMatchObject({ retries: 0, recordsSent: 0, recordsDropped: 1 });
});
