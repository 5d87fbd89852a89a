import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Pool } from 'undici';
import { BENCH_TOKEN } from '@logpulse/testkit/gateway-process';
import { createRandom, fluentBitLine, generateRecords, type GenerateOptions } from './workload.ts';

const gzipAsync = promisify(gzip);

/** One pre-built request: a gzip json_lines body as Fluent Bit's `http` output sends it. */
export interface IngestBody {
  body: Buffer;
  records: number;
  /** Uncompressed size. */
  bytes: number;
}

export interface BodyOptions extends GenerateOptions {
  /** Records per request are drawn uniformly from [minBatch, maxBatch]. */
  minBatch: number;
  maxBatch: number;
}

/**
 * Builds every request body before the clock starts, so the load generator only writes bytes.
 * Each body is unique (the gateway deduplicates identical bodies by digest). Compression runs on
 * libuv's thread pool, several bodies at a time.
 */
export async function buildBodies(options: BodyOptions): Promise<IngestBody[]> {
  const sizes = createRandom((options.seed ?? 42) + 1);
  const records = generateRecords(options);
  const bodies: IngestBody[] = [];
  let pending: Promise<void>[] = [];
  let left = options.count;
  while (left > 0) {
    const n = Math.min(left, options.minBatch + Math.floor(sizes() * (options.maxBatch - options.minBatch + 1)));
    left -= n;
    let text = '';
    for (let i = 0; i < n; i++) text += `${fluentBitLine(records.next().value!)}\n`;
    const slot = bodies.length;
    bodies.push({ body: Buffer.alloc(0), records: n, bytes: Buffer.byteLength(text) });
    pending.push(gzipAsync(text).then((body) => void (bodies[slot]!.body = body)));
    if (pending.length >= 8) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return bodies;
}

export interface IngestRunResult {
  seconds: number;
  requests: number;
  /** Records the gateway acknowledged as stored. */
  accepted: number;
  rejected: number;
  failures: number;
  /** Milliseconds from sending a request to its response, per request. */
  ackMs: number[];
  /** Accepted records per whole second since the start. */
  perSecond: number[];
  /** True when the run ended because the pre-built bodies ran out, not because time was up. */
  exhausted: boolean;
  firstError?: string;
}

export interface RunOptions {
  url: string;
  bodies: readonly IngestBody[];
  concurrency: number;
  durationMs: number;
  /** Index of the first body to send (bodies before it were used by an earlier phase). */
  startAt?: number;
}

/**
 * Sends the bodies over `concurrency` keep-alive connections, each connection posting its next
 * body as soon as the previous one is acknowledged (like Fluent Bit workers), until the time
 * is up or the bodies run out.
 */
export async function runIngestLoad(options: RunOptions): Promise<IngestRunResult & { nextBody: number }> {
  const pool = new Pool(options.url, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const result: IngestRunResult = {
    seconds: 0,
    requests: 0,
    accepted: 0,
    rejected: 0,
    failures: 0,
    ackMs: [],
    perSecond: [],
    exhausted: false,
  };
  let next = options.startAt ?? 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const worker = async () => {
    while (performance.now() < deadline) {
      const item = options.bodies[next++];
      if (!item) {
        result.exhausted = true;
        return;
      }
      const sent = performance.now();
      try {
        const res = await pool.request({
          path: '/log/ingest',
          method: 'POST',
          headers: {
            authorization: `Bearer ${BENCH_TOKEN}`,
            'content-type': 'application/x-ndjson',
            'content-encoding': 'gzip',
            'user-agent': 'Fluent-Bit',
          },
          body: item.body,
        });
        const text = await res.body.text();
        const done = performance.now();
        result.requests++;
        if (res.statusCode === 200) {
          const counts = JSON.parse(text) as { accepted: number; rejected: number };
          result.accepted += counts.accepted;
          result.rejected += counts.rejected;
          result.ackMs.push(done - sent);
          const second = Math.floor((done - started) / 1000);
          result.perSecond[second] = (result.perSecond[second] ?? 0) + counts.accepted;
        } else {
          result.failures++;
          result.firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
        }
      } catch (error) {
        result.failures++;
        result.firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  result.seconds = (performance.now() - started) / 1000;
  await pool.close();
  for (let i = 0; i < result.perSecond.length; i++) result.perSecond[i] ??= 0;
  return { ...result, nextBody: next };
}
