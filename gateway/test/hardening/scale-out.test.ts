// Scale-out: two gateway processes sharing one PostgreSQL database and Redis, the dev shipper
// alternating between them through a round-robin proxy, live subscribers on both.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestStorage } from '../support/databases.ts';
import { subscribe, waitLive, wsClient, type LogStreamData, type Received } from '../live/support.ts';
import { report, roundRobinProxy, shipperWorkspace, startGatewayProcess, storedCounts, waitFor, writeLogStream } from './support.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const STREAM = /* GraphQL */ `
  subscription Scale($filter: LogFilter) {
    logStream(filter: $filter) {
      dropped
      logs {
        requestId
      }
    }
  }
`;
type StreamData = { logStream: { dropped: number; logs: { requestId: string }[] } };

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('two replicas behind a round-robin proxy, sharing PostgreSQL and Redis', () => {
  it('stores every record once and every subscriber on either replica sees every record once', async () => {
    const storage = await createTestStorage('postgres');
    cleanups.push(() => storage.drop());
    // A channel prefix of its own: parallel runs on the same Redis never cross.
    const env = {
      DATABASE_URL: storage.databaseUrl!,
      DATA_DIR: storage.dataDir,
      REDIS_URL,
      REDIS_CHANNEL_PREFIX: `logpulse-scale-${randomBytes(6).toString('hex')}:`,
    };
    const [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
    const proxy = await roundRobinProxy([a.url, b.url]);
    cleanups.push(() => proxy.close());

    const run = `scale-${randomBytes(4).toString('hex')}`;
    const filter = { service: run };
    const clients = [wsClient(a.url), wsClient(a.url), wsClient(b.url), wsClient(b.url)];
    cleanups.push(() => Promise.all(clients.map((c) => c.dispose())));
    const streams = clients.map((client) => subscribe<StreamData>(client, STREAM, { filter }));
    for (const s of streams) await waitLive(s as unknown as Received<LogStreamData>);

    const ws = await shipperWorkspace();
    cleanups.push(() => ws.cleanup());
    const total = 4_000;
    const shipper = ws.start({ url: `${proxy.url}/log/ingest?service=${run}`, batchMaxRecords: 100 });
    await writeLogStream(ws.file, run, total, { perAppend: 50, pauseMs: 10, service: run });
    const size = (await stat(ws.file)).size;
    await waitFor(
      'the shipper to deliver everything',
      () => !shipper.stats().inflight && shipper.stats().position?.offset === size,
      90_000,
    );

    const ids = (s: Received<StreamData>) => s.data.flatMap((d) => d.logStream.logs.map((l) => l.requestId));
    // Generous: on a loaded 2-core machine two gateways, four clients and the shipper share the CPU.
    await waitFor('every subscriber to see every record', () => streams.every((s) => ids(s).length >= total), 60_000).catch(
      (error: Error) => {
        const got = streams.map((s) => `${ids(s).length} (${new Set(ids(s)).size} distinct)`).join(', ');
        throw new Error(`${error.message}: subscribers on A, A, B, B saw ${got} of ${total}`);
      },
    );

    const counts = await storedCounts(storage.databaseUrl!, run);
    const seen = streams.map((s) => ({
      received: ids(s).length,
      distinct: new Set(ids(s)).size,
      dropped: s.data.reduce((n, d) => n + d.logStream.dropped, 0),
    }));
    report('scale-out (2 replicas, Redis, round-robin shipper)', {
      sent: total,
      stored: counts.stored,
      duplicated: counts.stored - counts.distinct,
      requestsToA: proxy.served[0]!,
      requestsToB: proxy.served[1]!,
      subscribers: JSON.stringify(seen),
    });
    expect(counts).toEqual({ stored: total, distinct: total });
    expect(proxy.served[0]).toBeGreaterThan(0);
    expect(proxy.served[1]).toBeGreaterThan(0);
    for (const s of seen) expect(s).toEqual({ received: total, distinct: total, dropped: 0 });
    expect(shipper.stats().recordsDropped).toBe(0);

    // A replica dies (kill -9) mid-stream: the proxy's 502s make the shipper retry, the retries
    // reach the survivor, and its subscribers still see every record once.
    const run2 = `${run}-failover`;
    const filter2 = { service: run2 };
    const onB = [wsClient(b.url), wsClient(b.url)];
    cleanups.push(() => Promise.all(onB.map((c) => c.dispose())));
    const survivors = onB.map((client) => subscribe<StreamData>(client, STREAM, { filter: filter2 }));
    for (const s of survivors) await waitLive(s as unknown as Received<LogStreamData>);
    await shipper.stop();
    const ws2 = await shipperWorkspace();
    cleanups.push(() => ws2.cleanup());
    // The live stream is at-most-once across a crash (RELIABILITY.md): if A died between
    // committing a batch and publishing it to Redis, the retry is answered `duplicate` and that
    // one batch (the shipper has one request in flight) never reaches live subscribers.
    const missedAtMost = 100;
    const shipper2 = ws2.start({ url: `${proxy.url}/log/ingest?service=${run2}`, batchMaxRecords: missedAtMost });
    const writing = writeLogStream(ws2.file, run2, total, { perAppend: 50, pauseMs: 10, service: run2 });
    await waitFor(
      'a quarter of the second stream stored',
      async () => (await storedCounts(storage.databaseUrl!, run2)).stored >= total / 4,
      60_000,
    );
    await a.kill9();
    await writing;
    const size2 = (await stat(ws2.file)).size;
    await waitFor('the second stream delivered', () => !shipper2.stats().inflight && shipper2.stats().position?.offset === size2, 90_000);
    await waitFor('the survivors to see every record', () => survivors.every((s) => ids(s).length >= total), 30_000).catch(() => {
      // Judged below: everything but at most that one batch, and nothing twice.
    });
    const counts2 = await storedCounts(storage.databaseUrl!, run2);
    const seen2 = survivors.map((s) => ({ received: ids(s).length, distinct: new Set(ids(s)).size }));
    report('scale-out, one replica killed mid-stream', {
      sent: total,
      stored: counts2.stored,
      duplicated: counts2.stored - counts2.distinct,
      shipperRetries: shipper2.stats().retries,
      survivors: JSON.stringify(seen2),
    });
    expect(counts2).toEqual({ stored: total, distinct: total });
    for (const s of seen2) {
      expect(s.distinct).toBe(s.received);
      expect(total - s.received).toBeLessThanOrEqual(missedAtMost);
    }
  }, 180_000);
});
