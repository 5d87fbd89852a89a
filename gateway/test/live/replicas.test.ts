import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { CuttableProxy, LOG_STREAM, logsOf, record, subscribe, waitFor, waitLive, wsClient, type LogStreamData } from './support.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

interface Replica {
  url: string;
  process: ChildProcess;
  output: string[];
  ingest(records: object[]): Promise<Response>;
}

/** Starts a real gateway process (`tsx gateway/src/main.ts`) and waits for its listening line. */
function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', INGEST_TOKEN: TEST_TOKEN, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output.join('')}`)));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      for (const line of chunk.toString().split('\n')) {
        if (!line.includes('gateway listening')) continue;
        const { url } = JSON.parse(line) as { url: string };
        clearTimeout(timer);
        resolve({
          url,
          process: child,
          output,
          ingest: (records) =>
            fetch(`${url}/log/ingest`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson' },
              body: jsonLines(records),
            }),
        });
      }
    });
  });
}

async function stopReplica(replica: Replica | undefined): Promise<void> {
  if (!replica || replica.process.exitCode !== null) return;
  const exited = new Promise((resolve) => replica.process.once('exit', resolve));
  replica.process.kill('SIGTERM');
  await exited;
}

describe('two gateway processes sharing PostgreSQL and Redis', () => {
  let storage: TestStorage;
  let a: Replica | undefined;
  let b: Replica | undefined;
  // A channel prefix of its own, so parallel runs on the same Redis never cross.
  const prefix = `logpulse-test-${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const env = { DATABASE_URL: storage.databaseUrl!, DATA_DIR: storage.dataDir, REDIS_URL, REDIS_CHANNEL_PREFIX: prefix };
    [a, b] = await Promise.all([startReplica('replica A', env), startReplica('replica B', env)]);
  });
  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    await storage?.drop();
  });

  it('a record ingested on one replica reaches subscribers on both, in commit order, with its Dates intact', async () => {
    const onB = wsClient(b!.url);
    const onA = wsClient(a!.url);
    const filter = { service: 'replicated' };
    const subB = subscribe<LogStreamData>(onB, LOG_STREAM, { filter });
    const subA = subscribe<LogStreamData>(onA, LOG_STREAM, { filter });
    // Only records from the last 10 minutes: compares Dates, so it fails if they arrive as strings.
    const since = new Date(Date.now() - 10 * 60_000);
    const recentOnB = subscribe<LogStreamData>(onB, LOG_STREAM, { filter: { service: 'dated', from: since.toISOString() } });
    const metricsOnB = subscribe<{ liveMetrics: { requests: number; errors5xx: number } }>(
      onB,
      `subscription { liveMetrics(intervalSeconds: 1, service: "replicated") { requests errors5xx } }`,
    );
    for (const s of [subB, subA, recentOnB]) await waitLive(s);

    const fromA = [1, 2, 3, 4, 5].map((i) => record({ service: 'replicated', path: `/from-a/${i}`, status: i === 3 ? 500 : 200 }));
    const other = [record({ service: 'elsewhere', path: '/not-for-you' })];
    expect((await a!.ingest(fromA.slice(0, 2))).status).toBe(200);
    expect((await a!.ingest(other)).status).toBe(200);
    expect((await a!.ingest(fromA.slice(2))).status).toBe(200);
    await waitFor('B to receive A’s records', () => logsOf(subB).length >= fromA.length);
    await waitFor('A to receive its own records', () => logsOf(subA).length >= fromA.length);

    const fromB = [record({ service: 'replicated', path: '/from-b/1', status: 503 })];
    expect((await b!.ingest(fromB)).status).toBe(200);
    const expected = [...fromA, ...fromB].map((r) => r.path);
    await waitFor('A to receive B’s record', () => logsOf(subA).length >= expected.length);
    await waitFor('B to receive its own record', () => logsOf(subB).length >= expected.length);
    expect(logsOf(subB).map((l) => l.path)).toEqual(expected);
    expect(logsOf(subA).map((l) => l.path)).toEqual(expected);
    // The same stored rows (one database), seen identically from both replicas.
    expect(logsOf(subB).map((l) => l.id)).toEqual(logsOf(subA).map((l) => l.id));
    expect(logsOf(subB)[0]!.timestamp).toBe(fromA[0]!.timestamp);

    const dated = [
      record({ service: 'dated', path: '/too-old', timestamp: new Date(Date.now() - 20 * 60_000).toISOString() }),
      record({ service: 'dated', path: '/recent', timestamp: new Date(Date.now() - 60_000).toISOString() }),
      record({ service: 'dated', path: '/last' }),
    ];
    expect((await a!.ingest(dated)).status).toBe(200);
    await waitFor('the last dated record on B', () => logsOf(recentOnB).some((l) => l.path === '/last'));
    expect(logsOf(recentOnB).map((l) => l.path)).toEqual(['/recent', '/last']);

    const total = (key: 'requests' | 'errors5xx') => metricsOnB.data.reduce((n, d) => n + d.liveMetrics[key], 0);
    await waitFor('B’s live metrics to count every replicated record', () => total('requests') === expected.length);
    expect(total('errors5xx')).toBe(2);

    await Promise.all([onA.dispose(), onB.dispose()]);
  });
});

describe('a Redis outage', () => {
  let storage: TestStorage;
  let a: TestGateway | undefined;
  let b: TestGateway | undefined;
  const redis = new URL(REDIS_URL);
  const proxy = new CuttableProxy({ host: redis.hostname, port: Number(redis.port || 6379) });

  beforeAll(async () => {
    await proxy.open();
    storage = await createTestStorage('postgres');
    const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_CHANNEL_PREFIX: `logpulse-test-${randomBytes(6).toString('hex')}:` };
    a = await startTestGateway('postgres', { storage, keepStorage: true, env });
    b = await startTestGateway('postgres', { storage, keepStorage: true, env });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await proxy.cut();
    await storage?.drop();
  });

  it('keeps each replica’s own subscribers served, and fans out again once Redis is back', async () => {
    const [onA, onB] = [wsClient(a!.url), wsClient(b!.url)];
    const subA = subscribe<LogStreamData>(onA, LOG_STREAM, { filter: { service: 'outage' } });
    const subB = subscribe<LogStreamData>(onB, LOG_STREAM, { filter: { service: 'outage' } });
    await waitLive(subA);
    await waitLive(subB);
    await a!.ingest(jsonLines([record({ service: 'outage', path: '/before' })]));
    await waitFor('B to get A’s record through Redis', () => logsOf(subB).some((l) => l.path === '/before'));

    await proxy.cut();
    expect((await a!.ingest(jsonLines([record({ service: 'outage', path: '/during' })]))).status).toBe(200);
    await waitFor('A’s own subscriber to get it anyway', () => logsOf(subA).some((l) => l.path === '/during'));

    await proxy.open();
    // Records published while the link was down are gone by design; new ones flow again once
    // ioredis has reconnected and re-subscribed.
    let n = 0;
    await waitFor(
      'fan-out to resume',
      async () => {
        await a!.ingest(jsonLines([record({ service: 'outage', path: `/after/${n++}` })]));
        return logsOf(subB).some((l) => l.path.startsWith('/after/'));
      },
      30_000,
    );
    expect(logsOf(subB).some((l) => l.path === '/during')).toBe(false);
    await Promise.all([onA.dispose(), onB.dispose()]);
  });
});
