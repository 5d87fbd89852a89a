import { FLAT_SHAPE, generateRecords } from '@logpulse/target-server';
import { jsonLines, type TestGateway } from '../support/gateway.ts';

type AccessRecord = ReturnType<typeof generateRecords>[number];

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The traffic generator's scripted incidents, placed at fixed offsets in a 3-hour run that ends
 * at a whole hour in the past: the first hour is baseline history, the last two are analysed.
 */
export interface IncidentScenario {
  from: Date;
  to: Date;
  /** The range the tests analyse (the last two hours). */
  analysed: { from: Date; to: Date };
  latency: { route: string; start: Date; end: Date };
  errors: { route: string; start: Date; end: Date };
  spike: { factor: number; start: Date; end: Date };
  records: AccessRecord[];
}

export function incidentScenario(now = Date.now(), rate = 5, seed = 11): IncidentScenario {
  const to = Math.floor(now / HOUR) * HOUR - HOUR;
  const from = to - 3 * HOUR;
  const at = (offsetMs: number) => new Date(from + offsetMs);
  const latency = { route: '/api/products', start: at(HOUR + 25 * MINUTE), end: at(HOUR + 30 * MINUTE) };
  const errors = { route: '/api/users', start: at(HOUR + 70 * MINUTE), end: at(HOUR + 72 * MINUTE) };
  const spike = { factor: 3, start: at(HOUR + 100 * MINUTE), end: at(HOUR + 101 * MINUTE) };
  const records = generateRecords({
    from,
    to,
    rate,
    seed,
    // A constant rate: at the daily trough the smaller endpoints have too few requests a minute
    // to judge, and the test must not depend on the hour it runs at.
    shape: { ...FLAT_SHAPE, timeZone: 'UTC' },
    incidents: [
      { kind: 'latency', route: latency.route, duration: '5m', at: latency.start },
      { kind: 'errors', route: errors.route, duration: '2m', at: errors.start },
      { kind: 'spike', factor: spike.factor, duration: '1m', at: spike.start },
    ],
  });
  return {
    from: new Date(from),
    to: new Date(to),
    analysed: { from: new Date(from + HOUR), to: new Date(to) },
    latency,
    errors,
    spike,
    records,
  };
}

/** Sends records through real HTTP ingest in json_lines batches, as Fluent Bit would. */
export async function ingestAll(gw: TestGateway, records: readonly object[], batch = 5000): Promise<void> {
  for (let i = 0; i < records.length; i += batch) {
    const chunk = records.slice(i, i + batch);
    const res = await gw.ingest(jsonLines(chunk));
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { accepted: number; rejected: number };
    if (body.accepted !== chunk.length) throw new Error(`ingest accepted ${body.accepted} of ${chunk.length}: ${JSON.stringify(body)}`);
  }
}

// ---- brute force over the generated records -------------------------------------------------

export interface WireRecord {
  timestamp: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  ip_address: string;
  bytes: number;
  service: string;
}

export function inWindow<T extends { timestamp: string }>(records: readonly T[], from: Date, to: Date): T[] {
  const a = from.getTime();
  const b = to.getTime();
  return records.filter((r) => {
    const t = Date.parse(r.timestamp);
    return t >= a && t < b;
  });
}

/** The rank convention of the histogram (and percentile_disc): the smallest value with ≥ q·n at or below it. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}
