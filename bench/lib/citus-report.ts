import type { AnalysesResult } from '../sections/analyses.ts';
import type { CitusSideBySide } from '../sections/citus.ts';
import type { IngestRun } from '../sections/ingest.ts';
import { fmt } from './stats.ts';

const WORKER = /^worker/;

/** µs of CPU per record on each server, from a run's per-server CPU seconds. */
function perRecordUs(run: IngestRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, seconds] of Object.entries(run.serverCpuSeconds ?? {})) out[label] = run.records ? (seconds * 1e6) / run.records : NaN;
  return out;
}

/** ms of CPU per request on each server, for one dataset size. */
function perRequestMs(a: AnalysesResult, rows: number): Record<string, number> {
  const cpu = a.serverCpu?.find((c) => c.rows === rows);
  if (!cpu) return {};
  return Object.fromEntries(Object.entries(cpu.cpuSeconds).map(([label, s]) => [label, cpu.requests ? (s * 1000) / cpu.requests : NaN]));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const workersOf = (costs: Record<string, number>) =>
  sum(
    Object.entries(costs)
      .filter(([l]) => WORKER.test(l))
      .map(([, v]) => v),
  );

/**
 * The side-by-side section of `--target citus`: measured figures, then a projection to N worker
 * machines that uses only measured CPU costs (per record, per request, per server).
 */
export function citusSection(c: CitusSideBySide, cores: number): string[] {
  const out: string[] = [];
  out.push('### Citus side by side');
  out.push('');
  out.push(
    `One PostgreSQL 15 (the machine's own server) and a Citus 13.2 cluster made by \`deploy/citus/local-cluster.sh\` (a coordinator and ${c.workers} workers, each its own PostgreSQL 15 server with default settings and fsync on; ${c.shardCount} shards per table, tables distributed by the gateway), measured one after the other in the same run with the same load. **All of it shares the same ${cores} cores**: the coordinator, both workers, the gateway and the load generator compete for them, so the cluster cannot be faster here; it pays for distribution (planning, fan-out to shards over local connections, two-phase commit of every ingest batch) without gaining machines. What this run measures is the CPU each node spends per record and per query; the projection below turns that into throughput on real machines.`,
  );
  out.push('');
  if (c.ingest) {
    const { single, citus } = c.ingest;
    out.push(`**Ingest** (gzip json_lines bodies of 500–2,000 records, ${c.ingest.concurrency} keep-alive connections):`);
    out.push('');
    out.push(
      '| target | seconds | records | records/s | ack p50 / p99 ms | gateway CPU, cores (µs per record) | database CPU per record, by server | machine busy |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---|---:|');
    for (const [label, run] of [
      ['PostgreSQL', single],
      ['Citus', citus],
    ] as const) {
      const costs = perRecordUs(run);
      const byServer = Object.entries(costs)
        .map(([server, us]) => `${server} ${fmt(us, 1)} µs`)
        .join(', ');
      out.push(
        `| ${label} | ${fmt(run.seconds, 1)} | ${fmt(run.records)} | **${fmt(run.recordsPerSecond)}** | ${fmt(run.ackMs.p50)} / ${fmt(run.ackMs.p99)} | ${fmt(run.resources.gatewayCpuCores, 2)} (${fmt(run.gatewayCpuUsPerRecord, 1)}) | ${byServer || '–'} | ${fmt(run.resources.machineBusyPercent)} % |`,
      );
    }
    out.push('');
  }
  if (c.analyses) {
    const { single, citus } = c.analyses;
    const sizes = [...new Set(citus.timings.map((t) => t.rows))];
    const ranges = [...new Set(citus.timings.map((t) => t.range))];
    out.push('**Analyses** (every field of each analysis over HTTP, as in "Analyses at scale"): p50 / p95 ms, one PostgreSQL → Citus');
    out.push('');
    out.push(`| analysis | ${sizes.flatMap((rows) => ranges.map((r) => `${fmt(rows)} ${r}`)).join(' | ')} |`);
    out.push(`|---|${sizes.flatMap(() => ranges.map(() => '---:')).join('|')}|`);
    const names = [...new Set(citus.timings.map((t) => t.analysis))].sort();
    for (const name of names) {
      const cells = sizes.flatMap((rows) =>
        ranges.map((range) => {
          const find = (a: AnalysesResult) => a.timings.find((t) => t.analysis === name && t.rows === rows && t.range === range);
          const s = find(single);
          const d = find(citus);
          const cell = (t: typeof s) => (t ? (t.error ? 'error' : `${fmt(t.timing.p50, 1)} / ${fmt(t.timing.p95, 1)}`) : '–');
          return `${cell(s)} → ${cell(d)}`;
        }),
      );
      out.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    out.push('');
    for (const rows of sizes) {
      const s = perRequestMs(single, rows);
      const d = perRequestMs(citus, rows);
      out.push(
        `Database CPU per analysis request at ${fmt(rows)} rows (mean over every analysis and range): PostgreSQL ${fmt(s.PostgreSQL, 1)} ms; Citus ${Object.entries(
          d,
        )
          .map(([server, ms]) => `${server} ${fmt(ms, 1)} ms`)
          .join(', ')} (total ${fmt(sum(Object.values(d)), 1)} ms).`,
      );
    }
    out.push('');
  }
  out.push(...projection(c));
  return out;
}

/**
 * Throughput with N worker machines of `k` cores and a coordinator of `k` cores, from measured
 * per-server CPU costs: ingest ≤ min(k / coordinator cost, N·k / (worker cost summed over the 2
 * measured workers)), and the same for analysis requests. Assumes the work the workers did here
 * spreads evenly over N (shards are rebalanced onto new workers) and that the coordinator's cost
 * per record or request does not grow with N.
 */
function projection(c: CitusSideBySide): string[] {
  const out: string[] = [];
  const k = 8;
  const ns = [2, 4, 8, 16];
  const ingest = c.ingest ? perRecordUs(c.ingest.citus) : null;
  const rows = c.analyses ? Math.max(...c.analyses.citus.timings.map((t) => t.rows)) : null;
  const analyses = c.analyses && rows !== null ? perRequestMs(c.analyses.citus, rows) : null;
  if (!ingest && !analyses) return out;
  out.push(
    `**Projection to N worker machines** (${k} cores each, coordinator ${k} cores; from the CPU per record and per request measured above, nothing else):`,
  );
  out.push('');
  out.push(
    `| workers | ingest records/s (coordinator bound / workers bound) | analysis requests/s at ${rows === null ? '–' : fmt(rows)} rows (coordinator / workers) |`,
  );
  out.push('|---:|---:|---:|');
  for (const n of ns) {
    const cell = (coordinator: number, workers: number, unit: number) => {
      const byCoordinator = (k * unit) / coordinator;
      const byWorkers = (n * k * unit) / workers;
      return `**${fmt(Math.min(byCoordinator, byWorkers))}** (${fmt(byCoordinator)} / ${fmt(byWorkers)})`;
    };
    const i = ingest ? cell(ingest.coordinator ?? NaN, workersOf(ingest), 1e6) : '–';
    const a = analyses ? cell(analyses.coordinator ?? NaN, workersOf(analyses), 1e3) : '–';
    out.push(`| ${n} | ${i} | ${a} |`);
  }
  out.push('');
  out.push(
    'Read it as an upper bound for the database tier: gateways scale out separately (their CPU per record is in the ingest table; add gateway machines until they are not the limit), the network between machines is not modelled, and every statement goes through the coordinator (the gateway migrates and queries there; Citus could route queries through the workers too, which logpulse does not do today), so past the coordinator bound a bigger coordinator is the lever. A single service stays on one shard, so one service alone cannot use more than one worker.',
  );
  out.push('');
  return out;
}
