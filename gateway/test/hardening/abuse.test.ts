// Abuse limits: the per-address token bucket on /log/ingest (429 + Retry-After, which shippers
// retry, so nothing is lost), the AI mutation limit, and bounded memory under a 20-client flood.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { IngestAdmission } from '../../src/http/ingest-admission.ts';
import { TokenBucketLimiter } from '../../src/domain/rate-limit.ts';
import { createTestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, TEST_TOKEN } from '../support/gateway.ts';
import { record } from '../live/support.ts';
import { accessLine, report, rssMb, rssPeakSampler, shipperWorkspace, startGatewayProcess, storedCounts, waitFor, writeLogStream } from './support.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('TokenBucketLimiter', () => {
  it('never lets a client through more than burst + rate × elapsed, whatever the request pattern', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.constantFrom('a', 'b')), { minLength: 1, maxLength: 300 }),
        (rate, burst, steps) => {
          const limiter = new TokenBucketLimiter(rate, burst);
          let now = 1_000_000;
          const start = now;
          const allowed = { a: 0, b: 0 };
          for (const [gap, key] of steps) {
            now += gap;
            const verdict = limiter.take(key, now);
            if (verdict.allowed) allowed[key]++;
            else expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          }
          const ceiling = burst + (rate * (now - start)) / 1000 + 1e-9;
          expect(allowed.a).toBeLessThanOrEqual(ceiling);
          expect(allowed.b).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('forgets idle clients so a flood of addresses cannot grow memory without bound', () => {
    const limiter = new TokenBucketLimiter(10, 20, 1_000);
    for (let i = 0; i < 100_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 1_000_000 + i);
    expect(limiter.size).toBeLessThanOrEqual(1_000);
  });
});

describe('ingest admission (INGEST_MAX_CONCURRENT, INGEST_MAX_QUEUED)', () => {
  it('runs at most maxConcurrent batches, queues up to maxWaiting in order, refuses the rest', async () => {
    const gate = new IngestAdmission(2, 2);
    const a = (await gate.enter())!;
    const b = (await gate.enter())!;
    const order: string[] = [];
    const c = gate.enter().then((release) => (order.push('c'), release!));
    const d = gate.enter().then((release) => (order.push('d'), release!));
    expect(await gate.enter()).toBeNull();
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);
    a();
    a(); // releasing twice frees one slot only
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('answers 503 + Retry-After when every slot is busy and the queue is full', async () => {
    const gw = await startTestGateway('postgres', { env: { INGEST_MAX_CONCURRENT: '1', INGEST_MAX_QUEUED: '0' } });
    cleanups.push(() => gw.close());
    // A client that sends half its body and stalls holds the only slot.
    const url = new URL(`${gw.url}/log/ingest`);
    const slow = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson', 'content-length': '1000' },
    });
    slow.on('error', () => undefined);
    slow.write('{"path":"/slow"');
    cleanups.push(async () => slow.destroy());
    await waitFor(
      'the slow request to hold the slot',
      async () => (await gw.ingest(jsonLines([record({ path: '/probe' })]))).status === 503,
      10_000,
    );
    const busy = await gw.ingest(jsonLines([record({ path: '/busy' })]));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect((await busy.json()).error).toMatch(/busy/);
    slow.destroy();
    await waitFor(
      'the slot to be free again',
      async () => (await gw.ingest(jsonLines([record({ path: '/after' })]))).status === 200,
      10_000,
    );
  });
});

describe('per-address ingest rate limit', () => {
  it('answers 429 with Retry-After past the burst, per client address (X-Forwarded-For only when trusted)', async () => {
    const env = { INGEST_RATE_LIMIT_PER_SECOND: '0.5', INGEST_RATE_LIMIT_BURST: '3' };
    const [direct, proxied] = await Promise.all([
      startTestGateway('postgres', { env }),
      startTestGateway('postgres', { env: { ...env, TRUST_PROXY_HOPS: '1' } }),
    ]);
    cleanups.push(
      () => direct.close(),
      () => proxied.close(),
    );
    const body = () => jsonLines([record({ path: `/rl/${randomBytes(4).toString('hex')}` })]);

    for (let i = 0; i < 3; i++) expect((await direct.ingest(body(), { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(200);
    const refused = await direct.ingest(body(), { 'x-forwarded-for': '198.51.100.99' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()).error).toMatch(/too many requests/);
    // Health checks and GraphQL are not throttled with ingest.
    expect((await fetch(`${direct.url}/healthz`)).status).toBe(200);
    expect((await direct.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });

    // Behind one trusted proxy, the client is the address the proxy appended (the rightmost one):
    // entries a client writes further left change nothing.
    for (let i = 0; i < 3; i++) expect((await proxied.ingest(body(), { 'x-forwarded-for': `1.1.1.${i}, 203.0.113.7` })).status).toBe(200);
    expect((await proxied.ingest(body(), { 'x-forwarded-for': '9.9.9.9, 203.0.113.7' })).status).toBe(429);
    expect((await proxied.ingest(body(), { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
  });

  it('throttles the shipper without losing or duplicating a record (it retries 429 like Fluent Bit)', async () => {
    const gw = await startTestGateway('postgres', { env: { INGEST_RATE_LIMIT_PER_SECOND: '8', INGEST_RATE_LIMIT_BURST: '2' } });
    cleanups.push(() => gw.close());
    const ws = await shipperWorkspace();
    cleanups.push(() => ws.cleanup());
    const run = `throttled-${randomBytes(4).toString('hex')}`;
    const total = 1_200;
    const shipper = ws.start({ url: `${gw.url}/log/ingest?service=throttled`, batchMaxRecords: 30, retryBaseMs: 50, retryCapMs: 300 });
    const seen429 = { yes: false };
    const watch = setInterval(() => (seen429.yes ||= shipper.stats().lastError === 'HTTP 429'), 5);
    cleanups.push(async () => clearInterval(watch));
    await writeLogStream(ws.file, run, total, { perAppend: 200, pauseMs: 5 });
    await waitFor('every record stored', async () => (await storedCounts(gw.storage.databaseUrl!, run)).stored >= total, 60_000);
    await waitFor('the shipper idle', () => !shipper.stats().inflight, 10_000);
    const counts = await storedCounts(gw.storage.databaseUrl!, run);
    report('ingest rate limit with the shipper', {
      sent: total,
      stored: counts.stored,
      duplicated: counts.stored - counts.distinct,
      retries: shipper.stats().retries,
    });
    expect(counts).toEqual({ stored: total, distinct: total });
    expect(seen429.yes).toBe(true);
    expect(shipper.stats().recordsDropped).toBe(0);
  });

  it('limits AI mutations per client with RATE_LIMITED (HTTP 429, Retry-After)', async () => {
    const gw = await startTestGateway('postgres', { env: { AI_RATE_LIMIT_PER_MINUTE: '2' } });
    cleanups.push(() => gw.close());
    const analyze = () =>
      fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: 'mutation { analyzeRecentLogs(windowMinutes: 5) { summary } }' }),
      });
    for (let i = 0; i < 2; i++) {
      const res = await analyze();
      expect((await res.json()).errors).toBeUndefined();
    }
    const limited = await analyze();
    const body = await limited.json();
    expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('bounded memory under a flood', () => {
  it('keeps the gateway’s RSS bounded while 20 clients post at full speed', async () => {
    const storage = await createTestStorage('postgres');
    cleanups.push(() => storage.drop());
    // No rate limit: the worst case, every request reaches decoding and storage.
    const gateway = await startGatewayProcess({
      DATABASE_URL: storage.databaseUrl!,
      DATA_DIR: storage.dataDir,
      INGEST_RATE_LIMIT_PER_SECOND: '0',
    });
    cleanups.push(() => gateway.stop());

    // Mostly Fluent Bit-sized chunks (500 records, gzip), some 4 MB bodies, some garbage.
    const run = `flood-${randomBytes(4).toString('hex')}`;
    const bodies: { body: Buffer; encoding?: string }[] = [];
    for (let b = 0; b < 120; b++) {
      let text = '';
      for (let i = 0; i < 500; i++) text += `${accessLine(run, b * 500 + i, 'flood')}\n`;
      bodies.push({ body: gzipSync(text), encoding: 'gzip' });
      // Interleaved, so the first seconds already carry every kind.
      if (b % 15 === 3)
        bodies.push({ body: Buffer.from(Array.from({ length: 20_000 }, (_, i) => accessLine(`${run}-big${b}`, i, 'flood')).join('\n')) });
      if (b % 15 === 7) bodies.push({ body: randomBytes(64 * 1024) }, { body: Buffer.from('{"not":"a record"}\n'.repeat(10_000)) });
    }

    const rss = await rssPeakSampler(gateway.pid, 50);
    cleanups.push(async () => rss.stop());

    const pool = new Pool(gateway.url, { connections: 20, pipelining: 1 });
    cleanups.push(() => pool.close());
    const statuses = new Map<number, number>();
    const deadline = Date.now() + 6_000;
    let next = 0;
    const client = async () => {
      while (Date.now() < deadline) {
        const { body, encoding } = bodies[next++ % bodies.length]!;
        const res = await pool.request({
          path: '/log/ingest?service=flood',
          method: 'POST',
          headers: {
            authorization: `Bearer ${TEST_TOKEN}`,
            'content-type': 'application/x-ndjson',
            ...(encoding ? { 'content-encoding': encoding } : {}),
          },
          body,
        });
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    rss.stop();
    const after = await rssMb(gateway.pid);
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);

    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const counts = await storedCounts(storage.databaseUrl!, run);
    report('flood (20 clients, 6 s)', {
      requests,
      statuses: JSON.stringify(Object.fromEntries(statuses)),
      recordsStored: counts.stored,
      rssBaselineMb: Math.round(rss.baseline),
      rssPeakMb: Math.round(rss.peak),
      rssAfterMb: Math.round(after),
    });
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(counts.stored).toBe(counts.distinct);
    expect(rss.peak).toBeLessThan(600);
  }, 120_000);
});
