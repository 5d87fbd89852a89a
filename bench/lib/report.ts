import type { AnalysesResult } from '../sections/analyses.ts';
import type { CitusSideBySide } from '../sections/citus.ts';
import { citusSection } from './citus-report.ts';
import type { GoAccessResult } from '../sections/goaccess.ts';
import type { IdleShipperResult } from '../sections/idle.ts';
import type { IngestResult } from '../sections/ingest.ts';
import type { LiveResult } from '../sections/live.ts';
import type { MemoryResult } from '../sections/memory.ts';
import type { StorageResult } from '../sections/storage.ts';
import type { MachineInfo } from './machine.ts';
import { fmt } from './stats.ts';

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick';
  command: string;
  commit: string;
  machine: MachineInfo;
  /** Average 1-minute load during the run, sampled every few seconds (others' work included). */
  meanLoad: number;
  ingest?: IngestResult;
  analyses?: AnalysesResult;
  live?: LiveResult;
  goaccess?: GoAccessResult;
  idle?: IdleShipperResult;
  memory?: MemoryResult;
  storage?: StorageResult;
  /** `--target citus`: ingest and analyses on one PostgreSQL and on a local Citus cluster. */
  citus?: CitusSideBySide;
  errors: { section: string; message: string }[];
}

/** The budgets of DESIGN.md §6. */
export const BUDGETS = {
  ingestCopyRatio: 0.5,
  analysisP95Ms: 100,
  analysisGrowth: 2,
  analysisRange: '24h',
  liveP99Ms: 250,
  rssMb: 300,
  bytesPerRecord: 300,
  /** "An idle shipper costs ~0 CPU": under 5 CPU seconds an hour (0.14 % of one core). */
  idleShipperCpuSecondsPerHour: 5,
};

const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? '**pass**' : '**MISS**');

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  const sections = ['ingest', 'analyses', 'live', 'goaccess', 'idle', 'memory', 'storage'] as const;
  const ran: string[] = sections.filter((k) => r[k]);
  if (r.citus) ran.push('Citus side by side');
  const partial = ran.length < sections.length ? ` (${ran.join(', ')} only)` : '';
  out.push(`## ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC — ${r.mode} run${partial}`);
  out.push('');
  out.push(`- Command: \`${r.command}\` (commit ${r.commit})`);
  out.push(`- Machine: ${m.cores} cores (${m.cpuModel}), ${m.ramGb} GB RAM, Linux ${m.kernel}; Node ${m.node}; PostgreSQL ${m.postgres}`);
  out.push(
    `- Load average: ${m.loadAtStart.toFixed(1)} at start, ${r.meanLoad.toFixed(1)} on average during the run${r.meanLoad > m.cores ? ' — **other work was competing for the CPUs: figures are pessimistic**' : ''}`,
  );
  out.push(`- Duration: ${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 60_000).toFixed(1)} min`);
  out.push('');
  if (r.mode === 'quick')
    out.push('_Quick mode: small sizes and short runs to keep the scripts working; not a measurement of the budgets._\n');

  out.push('### Budgets');
  out.push('');
  out.push('| budget | measured | target | result |');
  out.push('|---|---:|---:|---|');
  if (r.ingest) {
    const i = r.ingest;
    out.push(
      `| ingest vs COPY (PostgreSQL) | ${fmt(i.postgres.recordsPerSecond)} / ${fmt(i.copy.rowsPerSecond)} rows/s = ${fmt(i.ratio, 2)} | ≥ ${BUDGETS.ingestCopyRatio} | ${verdict(i.ratio >= BUDGETS.ingestCopyRatio)} |`,
    );
    const rss = i.postgres.resources.gatewayRssMbPeak;
    out.push(
      `| gateway RSS under ingest load | ${fmt(rss)} MB peak | < ${BUDGETS.rssMb} MB | ${verdict(rss === null ? null : rss < BUDGETS.rssMb)} |`,
    );
  }
  if (r.analyses) {
    const largest = Math.max(...r.analyses.datasets.map((d) => d.rows));
    const smallest = Math.min(...r.analyses.datasets.map((d) => d.rows));
    const at = (rows: number) => r.analyses!.timings.filter((t) => t.rows === rows && t.range === BUDGETS.analysisRange);
    const worst = at(largest).reduce<{ name: string; p95: number } | null>(
      (w, t) => ((t.timing.p95 ?? Infinity) > (w?.p95 ?? -1) ? { name: t.analysis, p95: t.timing.p95 ?? Infinity } : w),
      null,
    );
    const misses = at(largest).filter((t) => t.error || (t.timing.p95 ?? Infinity) >= BUDGETS.analysisP95Ms).length;
    out.push(
      `| every analysis, 24 h range, p95 at ${fmt(largest)} rows | slowest: ${worst?.name} ${fmt(worst?.p95, 1)} ms (${misses} of ${at(largest).length} over) | < ${BUDGETS.analysisP95Ms} ms | ${verdict(misses === 0)} |`,
    );
    if (largest !== smallest) {
      const growth = at(largest).map((t) => ({ name: t.analysis, g: growthOf(r.analyses!, t.analysis, smallest, largest) }));
      const worstGrowth = growth.reduce((w, g) => ((g.g ?? 0) > (w.g ?? 0) ? g : w), { name: '', g: 0 as number | null });
      const over = growth.filter((g) => g.g === null || g.g > BUDGETS.analysisGrowth).length;
      out.push(
        `| 24 h time at ${fmt(largest)} ÷ at ${fmt(smallest)} rows (medians) | worst: ${worstGrowth.name} ×${fmt(worstGrowth.g, 1)} (${over} of ${growth.length} over) | ≤ ×${BUDGETS.analysisGrowth} | ${verdict(over === 0)} |`,
      );
    }
  }
  if (r.live) {
    const l = r.live;
    out.push(
      `| ingest → subscriber p99 (${l.subscribers} subscribers, ${fmt(l.sentRecords / (l.sendSeconds ?? l.seconds))} records/s offered) | ${fmt(l.latencyMs.p99)} ms (p50 ${fmt(l.latencyMs.p50)} ms; ${fmt(l.missing)} of ${fmt(l.expectedDeliveries)} deliveries missing) | < ${BUDGETS.liveP99Ms} ms | ${verdict(l.latencyMs.p99 !== null && l.latencyMs.p99 < BUDGETS.liveP99Ms && l.missing === 0)} |`,
    );
    const rss = l.resources.gatewayRssMbPeak;
    out.push(
      `| gateway RSS under live load | ${fmt(rss)} MB peak | < ${BUDGETS.rssMb} MB | ${verdict(rss === null ? null : rss < BUDGETS.rssMb)} |`,
    );
  }
  if (r.idle) {
    const perHour = r.idle.cpuSecondsPerHour;
    out.push(
      `| idle dev shipper CPU (${fmt(r.idle.seconds)} s with the file unchanged) | ${fmt(r.idle.cpuSeconds, 2)} CPU s = ${fmt(perHour, 1)} CPU s per hour; a line appended afterwards arrived in ${fmt(r.idle.pickupMs)} ms (flush interval 1 s) | < ${BUDGETS.idleShipperCpuSecondsPerHour} CPU s per hour | ${verdict(perHour < BUDGETS.idleShipperCpuSecondsPerHour)} |`,
    );
  }
  for (const run of r.memory?.runs ?? []) {
    out.push(
      `| gateway RSS during a fresh \`npm start\` with demo traffic, ${run.mode === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'} (${fmt(run.seconds)} s) | ${fmt(run.steadyMeanRssMb)} MB steady, ${fmt(run.peakRssMb)} MB peak once ready (${fmt(run.hwmRssMb)} MB during start-up) | < ${BUDGETS.rssMb} MB | ${verdict(run.peakRssMb === null ? null : run.peakRssMb < BUDGETS.rssMb)} |`,
    );
  }
  if (r.storage) {
    const st = r.storage;
    out.push(
      `| bytes on disk per record, indexes included (${fmt(st.records)} records over ${st.hours} h) | ${fmt(st.bytesPerRecord)} bytes (${fmt(st.totalBytes / 1e6, 1)} MB) | ≤ ${BUDGETS.bytesPerRecord} | ${verdict(st.bytesPerRecord <= BUDGETS.bytesPerRecord)} |`,
    );
  }
  out.push('');

  if (r.ingest) out.push(...ingestSection(r.ingest));
  if (r.analyses) out.push(...analysesSection(r.analyses));
  if (r.live) out.push(...liveSection(r.live));
  if (r.goaccess) out.push(...goaccessSection(r.goaccess));
  if (r.memory) out.push(...memorySection(r.memory));
  if (r.storage) out.push(...storageSection(r.storage));
  if (r.citus) out.push(...citusSection(r.citus, m.cores));
  if (r.errors.length) {
    out.push('### Errors');
    out.push('');
    for (const e of r.errors) out.push(`- ${e.section}: ${e.message.replaceAll('\n', ' ').slice(0, 500)}`);
    out.push('');
  }
  return out.join('\n');
}

function growthOf(a: AnalysesResult, analysis: string, small: number, large: number): number | null {
  const find = (rows: number) => a.timings.find((t) => t.rows === rows && t.range === BUDGETS.analysisRange && t.analysis === analysis);
  const s = find(small)?.timing.p50;
  const l = find(large)?.timing.p50;
  return s && l ? l / s : null;
}

function ingestSection(i: IngestResult): string[] {
  const row = (label: string, run: IngestResult['postgres'], conc: number) => {
    const res = run.resources;
    return `| ${label} | ${conc} | ${fmt(run.seconds, 1)} | ${fmt(run.records)} | **${fmt(run.recordsPerSecond)}** | ${fmt(run.minSecond)}–${fmt(run.maxSecond)} | ${fmt(run.ackMs.p50)} / ${fmt(run.ackMs.p99)} | ${fmt(res.gatewayCpuCores, 2)} (${fmt(run.gatewayCpuUsPerRecord, 1)} µs) | ${fmt(res.postgresCpuCores, 2)} (${fmt(run.postgresCpuUsPerRecord, 1)} µs) | ${fmt(run.idleRssMb)} / ${fmt(res.gatewayRssMbMean)} / ${fmt(res.gatewayRssMbPeak)} | ${fmt(res.machineBusyPercent)} % | ${run.failures}${run.exhausted ? ' (bodies ran out)' : ''} |`;
  };
  return [
    '### Ingest throughput',
    '',
    `Gzip json_lines bodies of ${i.batch.min}–${i.batch.max} records (mean ${fmt(i.batch.meanRecords)} records, ${fmt(i.batch.meanJsonBytes / 1024)} KB JSON → ${fmt(i.batch.meanGzipBytes / 1024)} KB gzip), pre-built, posted over keep-alive connections to a gateway process; each connection sends its next body when the previous one is acknowledged.`,
    '',
    '| target | connections | seconds | records | records/s | slowest–fastest second | ack p50 / p99 ms | gateway CPU, cores (per record) | PostgreSQL CPU, cores (per record) | gateway RSS idle / mean / peak MB | machine busy | failed requests |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    row('PostgreSQL', i.postgres, i.concurrency),
    ...(i.pglite ? [row('embedded PGlite', i.pglite, i.pgliteConcurrency)] : []),
    '',
    `Physical reference: **${fmt(i.copy.rowsPerSecond)} rows/s** — ${fmt(i.copy.rows)} rows of the same shape with \`COPY … FROM STDIN\` (pg-copy-streams, one connection, text prepared in memory) into \`CREATE TABLE … (LIKE logs INCLUDING ALL)\` (same columns, defaults and indexes), in ${fmt(i.copy.seconds, 1)} s. Ratio ingest / COPY = **${fmt(i.ratio, 2)}** (budget ≥ 0.5). COPY writes only the raw rows; the ingest also writes the minute and hour rollups, the batch digest and the route registry in the same transaction (after the PostgreSQL run: ${fmt(i.stored.logs)} logs, ${fmt(i.stored.rollupMinute)} minute and ${fmt(i.stored.rollupHour)} hour rollup rows, ${fmt(i.stored.batches)} batches; the \`logs\` table with its indexes takes ${fmt(i.stored.logsBytesPerRecord ?? 0)} bytes per record).`,
    '',
  ];
}

function analysesSection(a: AnalysesResult): string[] {
  const sizes = [...new Set(a.timings.map((t) => t.rows))].sort((x, y) => x - y);
  const ranges = [...new Set(a.timings.map((t) => t.range))];
  const names = [...new Set(a.timings.map((t) => t.analysis))];
  const smallest = sizes[0]!;
  const largest = sizes[sizes.length - 1]!;
  const cell = (name: string, rows: number, range: string) => {
    const t = a.timings.find((x) => x.analysis === name && x.rows === rows && x.range === range);
    if (!t) return '–';
    if (t.error) return `error`;
    return `${fmt(t.timing.p50, 1)} / ${fmt(t.timing.p95, 1)}`;
  };
  const out = [
    '### Analyses at scale',
    '',
    `Datasets: ${a.datasets.map((d) => `${fmt(d.rows)} rows over ${((new Date(d.to).valueOf() - new Date(d.from).valueOf()) / 86_400_000).toFixed(0)} days (${fmt(d.minuteRollups)} minute rollup rows = ${fmt(d.minuteRollups / ((new Date(d.to).valueOf() - new Date(d.from).valueOf()) / 60_000))} per minute, ${fmt(d.hourRollups)} hour rollup rows; ${d.reused ? 'reused' : `generated in ${fmt(d.seedSeconds)} s${d.verified ? `, rollups checked against rollupBatch on ${d.verified.compared} rows: ${d.verified.mismatches} differ` : ''}`})`).join('; ')}.`,
    `Each analysis is the full GraphQL field (every selectable leaf) over HTTP to a gateway process, ranges ending 7m13s before the newest data, each analysis 61 s further back than the previous one; 1 warm-up + ${a.runs} timed requests per cell, each over a window 61 minutes earlier than the previous one (so a result cache never answers; the 7 d window loses up to ${fmt((a.runs * 61) / 60)} h of data at the far end in the last requests).${a.skipped.length ? ` Skipped (unknown required arguments): ${a.skipped.join(', ')}.` : ''}`,
    '',
    `**24 h range, p95 ms** (budget < 100 ms at the largest size, and median at ${fmt(largest)} ≤ 2× median at ${fmt(smallest)}):`,
    '',
    `| analysis | ${sizes.map((s) => `${fmt(s)} rows`).join(' | ')} | < 100 ms | growth (medians) | ≤ ×2 |`,
    `|---|${sizes.map(() => '---:').join('|')}|---|---:|---|`,
  ];
  for (const name of names) {
    const p95s = sizes.map((s) => a.timings.find((x) => x.analysis === name && x.rows === s && x.range === BUDGETS.analysisRange));
    const last = p95s[p95s.length - 1];
    const growth = growthOf(a, name, smallest, largest);
    const fast = !!last && !last.error && (last.timing.p95 ?? Infinity) < BUDGETS.analysisP95Ms;
    const flat = sizes.length < 2 ? null : growth !== null && growth <= BUDGETS.analysisGrowth;
    out.push(
      `| ${name} | ${p95s.map((t) => (t?.error ? 'error' : fmt(t?.timing.p95, 1))).join(' | ')} | ${verdict(fast)} | ×${fmt(growth, 1)} | ${verdict(flat)} |`,
    );
  }
  out.push('');
  out.push('<details><summary>Every range and size: p50 / p95 ms</summary>');
  out.push('');
  out.push(`| analysis | ${sizes.flatMap((s) => ranges.map((r) => `${fmt(s)} ${r}`)).join(' | ')} |`);
  out.push(`|---|${sizes.flatMap(() => ranges.map(() => '---:')).join('|')}|`);
  for (const name of names) out.push(`| ${name} | ${sizes.flatMap((s) => ranges.map((r) => cell(name, s, r))).join(' | ')} |`);
  out.push('');
  out.push('</details>');
  out.push('');
  const errors = a.timings.filter((t) => t.error);
  if (errors.length) {
    out.push('Errors: ' + errors.map((t) => `${t.analysis} (${fmt(t.rows)} rows, ${t.range}): ${t.error}`).join('; '));
    out.push('');
  }
  return out;
}

function liveSection(l: LiveResult): string[] {
  const res = l.resources;
  return [
    '### Live latency',
    '',
    `${l.subscribers} graphql-ws subscribers on \`logStream\` (the dashboard's selection: every Log field) in 2 worker threads, while an open-loop generator posted ${fmt(l.targetRecordsPerSecond)} records/s (gzip json_lines, a request of ${fmt(l.batch)} records every ${fmt((1000 * l.batch) / l.targetRecordsPerSecond)} ms) for ${fmt(l.sendSeconds, 1)} s. Latency = arrival at the subscriber − the record's own timestamp, which the generator sets just before building the request (building + gzip took p50 ${fmt(l.buildMs.p50, 1)} ms, included).`,
    '',
    '| records sent / accepted | offered records/s | last ack after | deliveries expected / received | dropped (reported by the gateway) | missing | delivery p50 / p95 / p99 / max ms | ingest ack p50 / p99 ms | gateway CPU (cores) | bench client CPU (cores) | gateway RSS mean / peak MB | machine busy |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${fmt(l.sentRecords)} / ${fmt(l.acceptedRecords)} | ${fmt(l.sentRecords / l.sendSeconds)} | ${fmt(l.seconds, 1)} s | ${fmt(l.expectedDeliveries)} / ${fmt(l.deliveries)} | ${fmt(l.reportedDropped)} | ${fmt(l.missing)} | ${fmt(l.latencyMs.p50)} / ${fmt(l.latencyMs.p95)} / ${fmt(l.latencyMs.p99)} / ${fmt(l.latencyMs.max)} | ${fmt(l.ackMs.p50)} / ${fmt(l.ackMs.p99)} | ${fmt(res.gatewayCpuCores, 2)} | ${fmt(l.clientCpuCores, 2)} | ${fmt(res.gatewayRssMbMean)} / ${fmt(res.gatewayRssMbPeak)} | ${fmt(res.machineBusyPercent)} % |`,
    '',
    ...(l.firstError ? [`First error: ${l.firstError}`, ''] : []),
  ];
}

function memorySection(m: MemoryResult): string[] {
  return [
    '### Memory during `npm start`',
    '',
    'The real `scripts/start.ts` (gateway, demo target server, dev shipper, first-start backfill of 24 h of history, demo traffic at 5 requests/s) on spare ports with a temporary `DATA_DIR`, while a client asks the dashboard overview (services, traffic, endpoint usage, errors, recent logs over 24 h) every 5 s. Gateway RSS from `/proc/<pid>/status` every second from the moment `/readyz` answered; "steady" is the second half of the run.',
    '',
    '| storage | ready after | RSS at ready | peak RSS once ready | peak RSS since start (VmHWM) | steady mean / peak RSS | overview queries (errors) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...m.runs.map(
      (run) =>
        `| ${run.mode === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'} | ${fmt(run.readySeconds, 1)} s | ${fmt(run.readyRssMb)} MB | **${fmt(run.peakRssMb)} MB** | ${fmt(run.hwmRssMb)} MB | ${fmt(run.steadyMeanRssMb)} / ${fmt(run.steadyPeakRssMb)} MB | ${run.queries} (${run.queryErrors}) |`,
    ),
    '',
  ];
}

function storageSection(st: StorageResult): string[] {
  const perRecord = (bytes: number) => fmt(bytes / st.records, 1);
  const out = [
    '### Storage per record',
    '',
    `${fmt(st.records)} records over the last ${st.hours} h through the real ingest path into a scratch PostgreSQL database; endpoint rollups compacted and \`VACUUM (ANALYZE)\` run before measuring. Bytes per record = the relation's size ÷ ${fmt(st.records)} records (so small tables show what they add per record).`,
    '',
    '| table / index | rows | bytes | bytes per record |',
    '|---|---:|---:|---:|',
  ];
  for (const t of st.tables.filter((t) => t.totalBytes >= 64 * 1024)) {
    out.push(`| **${t.table}** (total) | ${fmt(t.rows)} | ${fmt(t.totalBytes)} | **${perRecord(t.totalBytes)}** |`);
    out.push(`| ${t.table}: rows (heap) | | ${fmt(t.heapBytes)} | ${perRecord(t.heapBytes)} |`);
    if (t.toastBytes >= 64 * 1024) out.push(`| ${t.table}: TOAST | | ${fmt(t.toastBytes)} | ${perRecord(t.toastBytes)} |`);
    for (const i of t.indexes) out.push(`| ${t.table}: index \`${i.name}\` | | ${fmt(i.bytes)} | ${perRecord(i.bytes)} |`);
  }
  const small = st.tables.filter((t) => t.totalBytes < 64 * 1024);
  const smallBytes = small.reduce((sum, t) => sum + t.totalBytes, 0);
  out.push(`| ${small.length} smaller tables (under 64 KB each) | | ${fmt(smallBytes)} | ${perRecord(smallBytes)} |`);
  out.push(`| **all** | | **${fmt(st.totalBytes)}** | **${perRecord(st.totalBytes)}** |`);
  out.push('');
  return out;
}

function goaccessSection(g: GoAccessResult): string[] {
  const lp = g.logpulse;
  return [
    '### GoAccess side by side',
    '',
    `The same ${fmt(g.records)} requests (24 h of the benchmark's traffic): as a ${fmt(g.logBytes / 1e6)} MB combined-format access log (plus \`$request_time\`) for GoAccess, and as gzip json_lines for logpulse.`,
    '',
    '| tool | what it did | seconds |',
    '|---|---|---:|',
    g.goaccess
      ? `| ${g.goaccess.version} | parsed the log in one process (in-memory), wrote an HTML report (${fmt(g.goaccess.htmlBytes / 1024)} KB) and a JSON report (${fmt(g.goaccess.jsonBytes / 1024)} KB); counted ${fmt(g.goaccess.totalRequests)} requests | **${fmt(g.goaccess.seconds, 1)}** |`
      : `| GoAccess | ${g.note ?? 'not run'} | – |`,
    `| logpulse | accepted ${fmt(lp.accepted)} records over HTTP (validated, routes templated, stored durably in PostgreSQL with minute + hour rollups, batch digests) in ${fmt(lp.ingestSeconds, 1)} s, then answered the overview (${lp.queries.join(', ')}) in ${fmt(lp.querySeconds, 2)} s; counted ${fmt(lp.totalRequests)} requests | **${fmt(lp.seconds, 1)}** |`,
    '',
    g.ratio !== null
      ? `logpulse / GoAccess = **${fmt(g.ratio, 1)}×**. Context, not a contest of equal work: GoAccess builds one static report from a file in memory; logpulse keeps every record queryable, durable and live, and any later question over any range is answered from the rollups in milliseconds without re-reading the log.`
      : '',
    '',
  ];
}
