import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { droppedOf, logsOf, record, subscribe, trackedWebSocket, waitFor, waitLive, wsClient, type LogStreamData } from './support.ts';

/** With `extra` selected, each record is ~4 KB on the wire: enough volume to fill socket buffers. */
const FAT_STREAM = /* GraphQL */ `
  subscription Fat($filter: LogFilter) {
    logStream(filter: $filter) { dropped logs { id path extra } }
  }
`;
/** Lowered from the default (20,000) on this gateway so a few MB of records reach it. */
const CAPACITY = 1000;
const BATCHES = 5;
const PER_BATCH = 1000;
const TOTAL = BATCHES * PER_BATCH;
const blob = 'x'.repeat(4000);

const fatBatch = (b: number) =>
  jsonLines(
    Array.from({ length: PER_BATCH }, (_, i) => {
      const n = b * PER_BATCH + i;
      return record({ service: 'flood', path: `/flood/${n}${n === TOTAL - 1 ? '?sentinel' : ''}`, blob });
    }),
  );

function expectIncreasing(ids: string[]) {
  for (let i = 1; i < ids.length; i++) expect(BigInt(ids[i]!) > BigInt(ids[i - 1]!)).toBe(true);
}

describe('slow consumers', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { LIVE_STREAM_CAPACITY: String(CAPACITY) } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a WebSocket client that stops reading holds at most a bounded queue and is told how many it missed', async () => {
    const { impl, sockets } = trackedWebSocket();
    const slow = wsClient(gw.url, { webSocketImpl: impl });
    const fast = wsClient(gw.url);
    const slowSub = subscribe<LogStreamData>(slow, FAT_STREAM, { filter: { service: 'flood' } });
    const fastSub = subscribe<LogStreamData>(fast, FAT_STREAM, { filter: { service: 'flood' } });
    await waitLive(slowSub);
    await waitLive(fastSub);
    // Stop reading from the TCP socket: kernel buffers fill, then the gateway's sends stall.
    sockets[0]!.pause();

    for (let b = 0; b < BATCHES; b++) expect((await gw.ingest(fatBatch(b))).status).toBe(200);
    await waitFor('the fast client to get everything', () => logsOf(fastSub).length + droppedOf(fastSub) === TOTAL, 30_000);
    await waitFor('the gateway to drop for the slow client', () => gw.app.pubsub.stats().droppedRecords > 0);
    const stats = gw.app.pubsub.stats();
    expect(stats.peakQueuedRecords).toBeLessThanOrEqual(CAPACITY);
    expect(stats.queuedRecords).toBeLessThanOrEqual(CAPACITY);
    // Prometheus sees it too (this loopback scrape needs no METRICS_TOKEN): the counter moved.
    const scraped = await (await fetch(`${gw.url}/metrics`)).text();
    const droppedMetric = Number(/^logpulse_live_dropped_records_total (\S+)$/m.exec(scraped)?.[1]);
    expect(droppedMetric).toBeGreaterThan(0);
    expect(droppedMetric).toBeLessThanOrEqual(gw.app.pubsub.stats().droppedRecords);

    sockets[0]!.resume();
    await waitFor('the slow client to catch up to the last record', () => logsOf(slowSub).some((l) => l.path.endsWith('?sentinel')), 30_000);
    const got = logsOf(slowSub);
    const dropped = droppedOf(slowSub);
    expect(dropped).toBeGreaterThan(0);
    // Nothing is lost silently: every record was either delivered or counted as dropped.
    expect(got.length + dropped).toBe(TOTAL);
    expectIncreasing(got.map((l) => l.id));
    // Dropping the oldest keeps the newest: everything after the last gap arrived, and that is
    // at least the capacity less one batch (whole batches are dropped).
    const lastGap = slowSub.data.findLastIndex((d) => d.logStream.dropped > 0);
    expect(slowSub.data[lastGap]!.logStream.logs).toEqual([]);
    const tail = slowSub.data.slice(lastGap + 1).flatMap((d) => d.logStream.logs.map((l) => l.path));
    expect(tail.length).toBeGreaterThanOrEqual(CAPACITY - 250);
    expect(tail).toEqual(Array.from({ length: tail.length }, (_, i) => `/flood/${TOTAL - tail.length + i}${i === tail.length - 1 ? '?sentinel' : ''}`));
    console.info(`slow consumer: delivered ${got.length}, dropped ${dropped}; fast consumer dropped ${droppedOf(fastSub)}`);

    slowSub.unsubscribe();
    fastSub.unsubscribe();
    await Promise.all([slow.dispose(), fast.dispose()]);
    await waitFor('both subscribers to be gone', () => gw.app.pubsub.stats().logStreamSubscribers === 0);
  });
});
