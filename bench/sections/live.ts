import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { gzip } from 'node:zlib';
import { Pool } from 'undici';
import { BENCH_TOKEN } from '@logpulse/testkit/gateway-process';
import { ResourceSampler, type ResourceReport } from '../lib/proc.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import type { SubscriberMessage, SubscriberWorkerData } from '../lib/subscriber-worker.ts';
import { fluentBitLine, generateRecords } from '../lib/workload.ts';

const gzipAsync = promisify(gzip);

// Node 20 workers do not inherit tsx's loader hooks: register them before importing the worker.
const WORKER_BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('../lib/subscriber-worker.ts', import.meta.url).href,
)}); })`;

/** What the dashboard's live page selects (web/src/features/live, LogRow fragment). */
export const LIVE_QUERY = `subscription Bench_logStream {
  logStream {
    dropped
    logs { id timestamp service method path route status latencyMs userAgent ipAddress requestId bytes extra ingestedAt }
  }
}`;

export interface LiveOptions {
  url: string;
  pid: number;
  database?: string;
  subscribers: number;
  recordsPerSecond: number;
  durationMs: number;
  /** Records per request; requests go out every batch / rate seconds. */
  batch: number;
  workers: number;
  log: (line: string) => void;
}

export interface LiveResult {
  subscribers: number;
  targetRecordsPerSecond: number;
  /** Records per request. */
  batch: number;
  /** How long the generator sent for; `seconds` also includes waiting for the last acknowledgements. */
  sendSeconds: number;
  seconds: number;
  sentRecords: number;
  acceptedRecords: number;
  failedRequests: number;
  /** Record deliveries expected: accepted × subscribers. */
  expectedDeliveries: number;
  deliveries: number;
  /** Sum of the `dropped` counts the gateway reported to subscribers. */
  reportedDropped: number;
  /** Expected deliveries that never arrived (dropped or still queued when the run ended). */
  missing: number;
  /** Milliseconds from a record's timestamp (set just before its request was built) to arrival. */
  latencyMs: Summary;
  ackMs: Summary;
  /** Time to build and gzip one request body (included in latencyMs). */
  buildMs: Summary;
  resources: ResourceReport;
  /** CPU of this benchmark process (generator + subscriber threads), in cores: they share the machine with the gateway. */
  clientCpuCores: number;
  firstError?: string;
}

/**
 * `subscribers` graphql-ws clients on logStream (spread over worker threads) while an open-loop
 * generator posts `recordsPerSecond` records: a request of `batch` records on a fixed schedule,
 * each record timestamped when its request is built, whatever the previous request is doing.
 */
export async function benchLive(options: LiveOptions): Promise<LiveResult> {
  const marker = `live${Date.now().toString(36)}-`;
  const wsUrl = `${options.url.replace(/^http/, 'ws')}/graphql`;
  const perWorker = Math.ceil(options.subscribers / options.workers);
  const workers: { worker: Worker; done: Promise<Extract<SubscriberMessage, { type: 'done' }>> }[] = [];
  const ready: Promise<void>[] = [];
  let firstError: string | undefined;
  for (let w = 0, left = options.subscribers; w < options.workers && left > 0; w++, left -= perWorker) {
    const data: SubscriberWorkerData = { url: wsUrl, subscribers: Math.min(perWorker, left), query: LIVE_QUERY, marker };
    const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: data });
    let markReady!: () => void;
    ready.push(new Promise<void>((resolve) => (markReady = resolve)));
    const done = new Promise<Extract<SubscriberMessage, { type: 'done' }>>((resolve, reject) => {
      worker.on('message', (m: SubscriberMessage) => {
        if (m.type === 'ready') markReady();
        else if (m.type === 'error') firstError ??= m.message;
        else resolve(m);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`subscriber worker exited with code ${code}`)));
    });
    // Awaited after the run; until then a failing worker must not be an unhandled rejection.
    done.catch(() => {});
    workers.push({ worker, done });
  }
  const readyTimeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`subscribers not live after 30 s${firstError ? `: ${firstError}` : ''}`)), 30_000).unref(),
  );
  try {
    await Promise.race([Promise.all(ready), readyTimeout, ...workers.map((w) => w.done.then(() => {}))]);
  } catch (error) {
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw error;
  }
  options.log(`live: ${options.subscribers} subscribers connected`);

  const pool = new Pool(options.url, { connections: 8, pipelining: 1 });
  const sampler = new ResourceSampler(options.pid, options.database);
  await sampler.start();
  const intervalMs = (1000 * options.batch) / options.recordsPerSecond;
  const clientCpu = process.cpuUsage();
  const started = performance.now();
  const acks: number[] = [];
  const builds: number[] = [];
  const inflight: Promise<void>[] = [];
  let sent = 0;
  let accepted = 0;
  let failed = 0;
  for (let i = 0; performance.now() - started < options.durationMs; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const buildStart = performance.now();
    const now = Date.now();
    let text = '';
    for (const r of generateRecords({ count: options.batch, from: now, to: now + 1, seed: i, idPrefix: `${marker}${i}` }))
      text += `${fluentBitLine({ ...r, time: now })}\n`;
    const body = await gzipAsync(text);
    builds.push(performance.now() - buildStart);
    sent += options.batch;
    const sentAt = performance.now();
    const request = pool
      .request({
        path: '/log/ingest',
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body,
      })
      .then(async (res) => {
        const answer = await res.body.text();
        if (res.statusCode === 200) {
          accepted += (JSON.parse(answer) as { accepted: number }).accepted;
          acks.push(performance.now() - sentAt);
        } else {
          failed++;
          firstError ??= `ingest HTTP ${res.statusCode}: ${answer.slice(0, 200)}`;
        }
      })
      .catch((error: Error) => {
        failed++;
        firstError ??= error.message;
      });
    inflight.push(request);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(inflight);
  const seconds = (performance.now() - started) / 1000;
  // Let the last batches reach every subscriber (delivery is coalesced every ~100 ms).
  await new Promise((r) => setTimeout(r, 2_000));
  const resources = await sampler.stop();
  const clientUsage = process.cpuUsage(clientCpu);
  const clientCpuCores = (clientUsage.user + clientUsage.system) / 1e6 / resources.seconds;
  await pool.close();

  const results = await Promise.all(
    workers.map(async ({ worker, done }) => {
      worker.postMessage('stop');
      const result = await done;
      await worker.terminate();
      return result;
    }),
  );
  const deliveries = results.reduce((sum, r) => sum + r.received.reduce((a, b) => a + b, 0), 0);
  const reportedDropped = results.reduce((sum, r) => sum + r.dropped.reduce((a, b) => a + b, 0), 0);
  const latencies: number[] = [];
  for (const r of results) for (const v of r.latencies) latencies.push(v);
  const expected = accepted * options.subscribers;
  return {
    subscribers: options.subscribers,
    targetRecordsPerSecond: options.recordsPerSecond,
    batch: options.batch,
    sendSeconds,
    seconds,
    sentRecords: sent,
    acceptedRecords: accepted,
    failedRequests: failed,
    expectedDeliveries: expected,
    deliveries,
    reportedDropped,
    missing: expected - deliveries,
    latencyMs: summarize(latencies),
    ackMs: summarize(acks),
    buildMs: summarize(builds),
    resources,
    clientCpuCores,
    ...(firstError ? { firstError } : {}),
  };
}
