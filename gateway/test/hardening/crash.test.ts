// Faults survived with real processes: kill -9 of the gateway while the dev shipper streams to it
// (PostgreSQL and embedded PGlite), and a PostgreSQL outage in the middle of shipping.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/db.ts';
import { createTestStorage, type TestStorage } from '../support/databases.ts';
import { startGatewayWithOutage } from '../support/database-outage.ts';
import {
  report,
  roundRobinProxy,
  shipperWorkspace,
  startGatewayProcess,
  storedCounts,
  waitFor,
  writeLogStream,
  type GatewayProcess,
} from './support.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

type Workspace = Awaited<ReturnType<typeof shipperWorkspace>>;

/** Waits until the shipper has acknowledged every line of the file and holds nothing in flight. */
async function shippedEverything(
  ws: Workspace,
  shipper: { stats(): { inflight: boolean; position?: { offset: number } } },
  timeoutMs = 90_000,
) {
  const size = (await stat(ws.file)).size;
  await waitFor(
    'the shipper to deliver the whole file',
    () => {
      const s = shipper.stats();
      return !s.inflight && s.position?.offset === size;
    },
    timeoutMs,
  );
}

async function batchDuplicates(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT coalesce(sum(duplicates), 0)::int AS n FROM ingest_batches')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('kill -9 of the gateway during shipper ingest (PostgreSQL)', () => {
  it('stores every record exactly once after the restarts', async () => {
    const storage = await createTestStorage('postgres');
    cleanups.push(() => storage.drop());
    const databaseUrl = storage.databaseUrl!;
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: storage.dataDir };
    let gateway: GatewayProcess = await startGatewayProcess(env);
    cleanups.push(() => gateway.stop());
    const ws = await shipperWorkspace();
    cleanups.push(() => ws.cleanup());

    // The shipper reaches the gateway through a proxy that can swallow an answer: the restarted
    // gateway keeps its port, so the proxy's upstream stays valid.
    const proxy = await roundRobinProxy([gateway.url]);
    cleanups.push(() => proxy.close());

    const run = `kill-${randomBytes(4).toString('hex')}`;
    const total = 8_000;
    const shipper = ws.start({ url: `${proxy.url}/log/ingest?service=crash` });
    // About 8 s of writing, so both kills land while lines are still arriving and batches in flight.
    const writing = writeLogStream(ws.file, run, total, { perAppend: 40, pauseMs: 40 });

    // First kill: wherever the gateway happens to be.
    await waitFor('a fifth stored', async () => (await storedCounts(databaseUrl, run)).stored >= total * 0.2, 60_000);
    await gateway.kill9();
    gateway = await startGatewayProcess({ ...env, PORT: String(gateway.port) });
    // Second kill in the worst window: a batch is committed but its 200 never reaches the
    // shipper, which must resend it to the next gateway, which must recognise it.
    await waitFor('half stored', async () => (await storedCounts(databaseUrl, run)).stored >= total * 0.5, 60_000);
    await proxy.swallowNextSuccess();
    await gateway.kill9();
    gateway = await startGatewayProcess({ ...env, PORT: String(gateway.port) });
    const kills = 2;
    await writing;
    await shippedEverything(ws, shipper);

    const counts = await storedCounts(databaseUrl, run);
    const stats = shipper.stats();
    const duplicatesRecognised = await batchDuplicates(databaseUrl);
    report('kill -9 (PostgreSQL)', {
      sent: total,
      stored: counts.stored,
      duplicated: counts.stored - counts.distinct,
      kills,
      shipperRetries: stats.retries,
      retriedBatchesRecognised: duplicatesRecognised,
    });
    expect(counts).toEqual({ stored: total, distinct: total });
    expect(duplicatesRecognised).toBeGreaterThanOrEqual(1);
    expect(stats.recordsDropped).toBe(0);
    expect(stats.recordsSent).toBe(total);
  }, 180_000);
});

describe('kill -9 of the gateway during shipper ingest (embedded PGlite)', () => {
  it('leaves a data dir that opens with every committed batch intact, and the restart completes the stream once', async () => {
    const storage: TestStorage = await createTestStorage('pglite');
    cleanups.push(() => storage.drop());
    const env = { DATA_DIR: storage.dataDir };
    let gateway = await startGatewayProcess(env);
    cleanups.push(() => gateway.stop());
    const ws = await shipperWorkspace();
    cleanups.push(() => ws.cleanup());

    const run = `pglite-${randomBytes(4).toString('hex')}`;
    const total = 3_000;
    const shipper = ws.start({ url: `${gateway.url}/log/ingest?service=embedded`, batchMaxRecords: 100 });
    const writing = writeLogStream(ws.file, run, total, { perAppend: 30, pauseMs: 30 });

    // Kill as soon as some batches are acknowledged: the shipper keeps sending, so one is likely mid-write.
    await waitFor('some batches acknowledged', () => shipper.stats().recordsSent >= total * 0.3, 60_000);
    await gateway.kill9();

    // The crashed data dir opens, and what it holds is consistent: raw rows, batch records and
    // rollups agree, and no record is there twice.
    const db = await openDatabase({ databaseUrl: undefined, dataDir: storage.dataDir });
    try {
      const { rows } = await db.pool.query<{ logs: number; distinct: number; batches: number; batch_records: number; rollup: number }>(
        `SELECT (SELECT count(*) FROM logs)::int AS logs,
                (SELECT count(DISTINCT request_id) FROM logs)::int AS distinct,
                (SELECT count(*) FROM ingest_batches)::int AS batches,
                (SELECT coalesce(sum(accepted), 0) FROM ingest_batches)::int AS batch_records,
                (SELECT coalesce(sum(count), 0) FROM rollup_minute)::int AS rollup`,
      );
      const afterCrash = rows[0]!;
      report('kill -9 (PGlite) data dir after the crash', afterCrash);
      expect(afterCrash.logs).toBeGreaterThan(0);
      expect(afterCrash.distinct).toBe(afterCrash.logs);
      expect(afterCrash.batch_records).toBe(afterCrash.logs);
      expect(afterCrash.rollup).toBe(afterCrash.logs);
      // Every acknowledged record is there (a commit may also have landed without its answer).
      expect(afterCrash.logs).toBeGreaterThanOrEqual(shipper.stats().recordsSent);
    } finally {
      await db.close();
    }

    gateway = await startGatewayProcess({ ...env, PORT: String(gateway.port) });
    await writing;
    await shippedEverything(ws, shipper);
    await gateway.stop();

    const reopened = await openDatabase({ databaseUrl: undefined, dataDir: storage.dataDir });
    try {
      const { rows } = await reopened.pool.query<{ stored: number; distinct: number }>(
        `SELECT count(*)::int AS stored, count(DISTINCT request_id)::int AS distinct FROM logs WHERE request_id LIKE $1`,
        [`${run}-%`],
      );
      report('kill -9 (PGlite) after restart', { sent: total, stored: rows[0]!.stored, duplicated: rows[0]!.stored - rows[0]!.distinct });
      expect(rows[0]).toEqual({ stored: total, distinct: total });
    } finally {
      await reopened.close();
    }
    expect(shipper.stats().recordsDropped).toBe(0);
  }, 180_000);
});

describe('PostgreSQL outage during shipper ingest', () => {
  it('answers 503 (readyz too) while storage is cut off, then everything arrives exactly once', async () => {
    const outage = await startGatewayWithOutage({ cut: false });
    cleanups.push(() => outage.close());
    const { gateway, storage } = outage;
    const ws = await shipperWorkspace();
    cleanups.push(() => ws.cleanup());

    const run = `outage-${randomBytes(4).toString('hex')}`;
    const total = 5_000;
    const shipper = ws.start({ url: `${gateway.url}/log/ingest?service=outage` });
    const writing = writeLogStream(ws.file, run, total, { perAppend: 50, pauseMs: 40 });

    await waitFor('a quarter stored', async () => (await storedCounts(storage.databaseUrl!, run)).stored >= total / 4, 60_000);
    await outage.cut();
    const retriesBefore = shipper.stats().retries;
    await waitFor(
      'the shipper to be refused with 503',
      () => shipper.stats().retries > retriesBefore && shipper.stats().lastError === 'HTTP 503',
      30_000,
    );
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    // Status only: the reason (which may name the database host) goes to the gateway's log.
    expect(await ready.json()).toEqual({ status: 'unavailable' });
    // Hold the outage while lines keep arriving, then bring storage back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const retriesDuringOutage = shipper.stats().retries - retriesBefore;
    await outage.restore();
    await writing;
    await shippedEverything(ws, shipper);

    const counts = await storedCounts(storage.databaseUrl!, run);
    report('PostgreSQL outage', { sent: total, stored: counts.stored, duplicated: counts.stored - counts.distinct, retriesDuringOutage });
    expect(counts).toEqual({ stored: total, distinct: total });
    expect(shipper.stats().recordsDropped).toBe(0);
  }, 180_000);
});
