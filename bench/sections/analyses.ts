import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analysisOperations } from '../lib/analysis-operations.ts';
import { REPO_ROOT, startGateway } from '@logpulse/testkit/gateway-process';
import { GraphQLClient } from '../lib/graphql-client.ts';
import type { BenchTarget } from '../lib/scratch-db.ts';
import { ensureDataset, type Dataset } from '../lib/seed.ts';
import { summarize, type Summary } from '../lib/stats.ts';

export interface AnalysesOptions {
  sizes: number[];
  days: number;
  runs: number;
  ranges: { label: string; ms: number }[];
  fresh: boolean;
  /** Only these analyses (Query field names); all when omitted. */
  only?: string[];
  /** Suffix for private dataset databases (quick runs); shared, reusable ones without. */
  scope?: string;
  /** Where the datasets live (a single PostgreSQL unless given). */
  target?: BenchTarget;
  /** Measures the database servers while the analyses of one dataset size are timed (warm-ups included). */
  sampler?: (database: string) => { start(): Promise<void>; stop(): Promise<Record<string, number>> };
  log: (line: string) => void;
}

export interface AnalysisTiming {
  analysis: string;
  range: string;
  rows: number;
  timing: Summary;
  /** The warm-up request (first time this gateway process ran the analysis for this range). */
  firstMs: number;
  bytes: number;
  error?: string;
}

export interface AnalysesResult {
  datasets: Omit<Dataset, 'url'>[];
  /** Per dataset size, when a sampler was given: CPU seconds per server and the requests they served. */
  serverCpu?: { rows: number; requests: number; cpuSeconds: Record<string, number> }[];
  timings: AnalysisTiming[];
  skipped: string[];
  runs: number;
}

export const DEFAULT_RANGES = [
  { label: '1h', ms: 3_600_000 },
  { label: '24h', ms: 86_400_000 },
  { label: '7d', ms: 7 * 86_400_000 },
];

/** How far back each timed request moves its window. */
const SHIFT_MS = 61 * 60_000;

/** The endpoint endpointDetail drills into: the busiest in the catalogue. */
const DETAIL = { route: '/api/products/:id', method: 'GET' };

/**
 * Times every GraphQL analysis over HTTP against a gateway process serving a dataset of each
 * size, for each range (ending 7m13s, plus 61 s per analysis, before the newest data, so nothing is minute- or
 * hour-aligned, as with a dashboard's "last 24h"): one warm-up, then `runs` timed requests, each
 * over a window 61 minutes earlier than the previous one.
 */
export async function benchAnalyses(options: AnalysesOptions): Promise<AnalysesResult> {
  const all = await analysisOperations(join(REPO_ROOT, 'schema.graphql'), { required: DETAIL });
  const unknown = options.only?.filter((name) => !all.operations.some((op) => op.name === name)) ?? [];
  if (unknown.length)
    throw new Error(`unknown analyses ${unknown.join(', ')}; choose from ${all.operations.map((op) => op.name).join(', ')}`);
  const operations = options.only ? all.operations.filter((op) => options.only!.includes(op.name)) : all.operations;
  const { skipped } = all;
  const result: AnalysesResult = { datasets: [], timings: [], skipped, runs: options.runs };
  for (const rows of options.sizes) {
    options.log(`analyses: dataset of ${rows.toLocaleString('en')} rows`);
    const dataset = await ensureDataset({
      rows,
      days: options.days,
      fresh: options.fresh,
      scope: options.scope,
      target: options.target,
      log: (l) => options.log(`  seed ${rows}: ${l}`),
    });
    const { url, ...info } = dataset;
    result.datasets.push(info);
    const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-bench-'));
    const gateway = await startGateway({ databaseUrl: url, dataDir });
    const client = new GraphQLClient(gateway.url);
    const sampler = options.sampler?.(dataset.name);
    let requests = 0;
    try {
      await sampler?.start();
      const end = dataset.to.getTime() - (7 * 60 + 13) * 1000;
      for (const range of options.ranges) {
        // Every request asks for a different window (61 min further back each time), as a
        // dashboard refreshing over the day would: a result cache (anomalies keeps reports for
        // 10 s) never answers, so each figure is the cost of computing the analysis.
        // Each analysis also starts 61 s further back than the one before: recommendations reuse
        // the anomaly report, and the same windows right after anomalies would be served from it.
        for (const [index, op] of operations.entries()) {
          const opEnd = end - index * 61_000;
          const window = (k: number) => ({ from: new Date(opEnd - k * SHIFT_MS - range.ms), to: new Date(opEnd - k * SHIFT_MS) });
          const first = await client.time(op.query, op.variables(window(0)));
          requests++;
          const samples: number[] = [];
          let error = first.error;
          for (let i = 1; i <= options.runs && !error; i++) {
            const t = await client.time(op.query, op.variables(window(i)));
            requests++;
            error ??= t.error;
            samples.push(t.ms);
          }
          const timing = summarize(samples);
          result.timings.push({
            analysis: op.name,
            range: range.label,
            rows,
            timing,
            firstMs: first.ms,
            bytes: first.bytes,
            ...(error ? { error } : {}),
          });
          options.log(
            `  ${rows} ${range.label} ${op.name}: p50 ${timing.p50?.toFixed(1)} ms, p95 ${timing.p95?.toFixed(1)} ms${error ? ` ERROR ${error}` : ''}`,
          );
        }
      }
      if (sampler) (result.serverCpu ??= []).push({ rows, requests, cpuSeconds: await sampler.stop() });
    } finally {
      await client.close();
      await gateway.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return result;
}
