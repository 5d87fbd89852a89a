import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { LOG_STREAM, logsOf, record, subscribe, waitLive, wsClient, type LogStreamData } from './support.ts';

const BATCHES = 20;
const PER_BATCH = 50;

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};

/**
 * Every batch reaches a graphql-ws subscriber; the latencies (POST sent → received, and commit
 * published → received) are printed for the record, not asserted: this machine's load decides them.
 */
describe('ingest → subscriber latency', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres');
  });
  afterAll(async () => {
    await gw?.close();
  });

  // Back to back, every batch lands inside the previous one's 100 ms throttle; spaced out, it does not.
  it.each([
    { spacingMs: 0, label: 'back to back' },
    { spacingMs: 150, label: '150 ms apart' },
  ])(`delivers ${BATCHES} batches of ${PER_BATCH}, $label, and reports p50/p99`, async ({ spacingMs, label }) => {
    const client = wsClient(gw.url);
    const service = `latency-${spacingMs}`;
    const live = subscribe<LogStreamData>(client, LOG_STREAM, { filter: { service } });
    await waitLive(live);
    const published = new Map<string, number>();
    const stopWatching = gw.app.pubsub.onLogsStored((records) => {
      for (const r of records) if (r.service === service && r.path.endsWith('/0')) published.set(r.path, performance.now());
    });
    const received = new Map<string, number>();
    // Stamp arrivals before the collector sees them (and wakes the waiting test).
    live.sink.next = ((next) => (value) => {
      const now = performance.now();
      for (const l of value.data?.logStream.logs ?? []) if (l.path.endsWith('/0')) received.set(l.path, now);
      next(value);
    })(live.sink.next);

    const sent = new Map<string, number>();
    for (let b = 0; b < BATCHES; b++) {
      const marker = `/latency/${b}/0`;
      if (spacingMs) await new Promise((resolve) => setTimeout(resolve, spacingMs));
      const body = jsonLines(Array.from({ length: PER_BATCH }, (_, i) => record({ service, path: `/latency/${b}/${i}` })));
      sent.set(marker, performance.now());
      expect((await gw.ingest(body)).status).toBe(200);
      await live.until(`batch ${b}`, () => received.has(marker));
    }
    stopWatching();
    expect(logsOf(live)).toHaveLength(BATCHES * PER_BATCH);

    const fromPost = [...sent].map(([k, t]) => received.get(k)! - t);
    const fromCommit = [...published].map(([k, t]) => received.get(k)! - t);
    const fmt = (v: number[]) => `p50 ${percentile(v, 0.5).toFixed(1)} ms, p99 ${percentile(v, 0.99).toFixed(1)} ms`;
    console.info(`logStream latency, ${BATCHES} batches of ${PER_BATCH} ${label}: POST→subscriber ${fmt(fromPost)}; commit→subscriber ${fmt(fromCommit)}`);
    await client.dispose();
  });
});
