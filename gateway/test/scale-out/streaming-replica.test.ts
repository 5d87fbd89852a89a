// A query-only gateway on a real hot standby: a fresh PostgreSQL 15 primary (wal_level=replica)
// copied with pg_basebackup into a standby streaming from it on another port. The standby's
// gateway serves every analysis as the primary's does and live logs through Redis, refuses
// ingest with a retryable 503, and takes ingest once the standby is promoted, without a restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, toWire } from '../analytics/dataset.ts';
import type { TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, subscribe, waitFor, waitLive, wsClient, type LogStreamData } from '../live/support.ts';
import { analysisQuery, expectSameAnswer } from './answers.ts';
import { serverBinariesMissing, sqlAt, startStreamingPair, type StreamingPair } from './clusters.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const unavailable = serverBinariesMissing();
if (unavailable) console.warn(`[skipped] streaming replica tests: ${unavailable}`);

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e) => console.warn('cleanup failed', e));
});

async function storageAt(databaseUrl: string): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-replica-gw-'));
  return { mode: 'postgres', databaseUrl, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

/** Until the standby has replayed everything the primary has written so far. */
async function caughtUp(pair: StreamingPair): Promise<void> {
  const [current] = await sqlAt<{ lsn: string }>(pair.primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
  const lsn = current!.lsn;
  await waitFor('the standby to replay the primary', async () => {
    const [row] = await sqlAt<{ behind: boolean }>(pair.standbyUrl, 'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [lsn]);
    return row?.behind === false;
  });
}

describe.skipIf(unavailable)('query-only gateway on a streaming hot standby', () => {
  let pair: StreamingPair;
  let primary: TestGateway;
  let replica: TestGateway;
  let primaryClosed: Promise<void> | undefined;
  const closePrimary = () => (primaryClosed ??= primary.close());
  const redis = { REDIS_URL, REDIS_CHANNEL_PREFIX: `logpulse-standby-${randomBytes(6).toString('hex')}:` };
  const data = generateDataset({ seed: 20261206, count: 1500, now: Date.now() });
  const range = { from: data.range.from.toISOString(), to: data.range.to.toISOString() };

  beforeAll(async () => {
    pair = await startStreamingPair();
    cleanups.push(() => pair.stop());
    const primaryStorage = await storageAt(pair.primaryUrl);
    primary = await startTestGateway('postgres', { storage: primaryStorage, keepStorage: true, env: redis });
    cleanups.push(() => closePrimary().then(() => primaryStorage.drop()));
    const replicaStorage = await storageAt(pair.standbyUrl);
    replica = await startTestGateway('postgres', { storage: replicaStorage, keepStorage: true, env: redis });
    cleanups.push(() => replica.close().then(() => replicaStorage.drop()));
    await waitFor('the standby gateway to be ready', async () => (await fetch(`${replica.url}/readyz`)).status === 200, 30_000);
  });

  it('is a real standby', async () => {
    const [row] = await sqlAt<{ recovery: boolean; readOnly: string }>(
      pair.standbyUrl,
      `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS "readOnly"`,
    );
    expect(row).toEqual({ recovery: true, readOnly: 'on' });
    const senders = await sqlAt<{ state: string }>(pair.primaryUrl, 'SELECT state FROM pg_stat_replication');
    expect(senders).toEqual([{ state: 'streaming' }]);
  });

  it('streams live logs ingested on the primary through Redis, and refuses ingest with 503', async () => {
    const live = wsClient(replica.url);
    cleanups.push(async () => live.dispose());
    const stream = subscribe<LogStreamData>(live, LOG_STREAM, { filter: { service: 'standby-live' } });
    await waitLive(stream);
    const records = Array.from({ length: 20 }, (_, i) => record({ service: 'standby-live', path: `/s/${i}`, status: i % 4 ? 200 : 500 }));
    expect((await primary.ingest(jsonLines(records))).status).toBe(200);
    await waitFor('the live records on the standby gateway', () => logsOf(stream).length >= records.length);
    expect(logsOf(stream).map((l) => l.path)).toEqual(records.map((r) => r.path));

    const refused = await replica.ingest(jsonLines([record({ service: 'standby-live', path: '/not-here' })]));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });

  it('answers every analysis as the primary does, once replayed', async () => {
    for (let i = 0; i < data.records.length; i += 500) {
      expect((await primary.ingest(jsonLines(toWire(data.records.slice(i, i + 500))))).status).toBe(200);
    }
    await caughtUp(pair);
    const analyses: [string, string][] = [
      ['traffic', ''],
      ['endpointUsage', 'limit: 1000'],
      ['services', ''],
      ['errorDistribution', ''],
      ['statusEndpointTop', 'limit: 5'],
      ['errorHeatmap', 'tz: "Asia/Seoul"'],
      ['patterns', ''],
      ['anomalies', ''],
      ['bottlenecks', ''],
      ['recommendations', ''],
    ];
    for (const [field, args] of analyses) {
      const query = analysisQuery(field, args);
      const [onReplica, onPrimary] = await Promise.all([replica.graphql(query, { range }), primary.graphql(query, { range })]);
      expect(onPrimary.errors, JSON.stringify(onPrimary.errors)).toBeUndefined();
      expect(onReplica.errors, `${field}: ${JSON.stringify(onReplica.errors)}`).toBeUndefined();
      expectSameAnswer(onReplica.data, onPrimary.data);
    }
    const page = '{ recentLogs(first: 100) { edges { node { id timestamp service path status latencyMs } } } }';
    const [a, b] = await Promise.all([replica.graphql(page), primary.graphql(page)]);
    expect(a.errors).toBeUndefined();
    expectSameAnswer(a.data, b.data);
  });

  it('takes ingest without a restart once the standby is promoted', async () => {
    await caughtUp(pair);
    // Failover: the primary's gateway and server go away, the standby is promoted.
    await closePrimary();
    await pair.stopPrimary();
    await pair.promote();

    const body = jsonLines([record({ service: 'after-promotion', path: '/promoted', status: 201 })]);
    // The gateway answers 503 until its next write finds the database writable; a shipper retries the same way.
    let answer: Response | undefined;
    await waitFor(
      'the promoted standby gateway to take ingest',
      async () => {
        answer = await replica.ingest(body);
        return answer.status === 200;
      },
      30_000,
    );
    expect(await answer!.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const services = await replica.graphql<{ services: { service: string; count: number }[] }>(
      '{ services(range: {last: "1h"}, service: "after-promotion") { service count } }',
    );
    expect(services.errors).toBeUndefined();
    expect(services.data!.services).toEqual([{ service: 'after-promotion', count: 1 }]);
    const [row] = await sqlAt<{ recovery: boolean }>(pair.standbyUrl, 'SELECT pg_is_in_recovery() AS recovery');
    expect(row!.recovery).toBe(false);
  });
});
