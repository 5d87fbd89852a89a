import { roundLatency, type AccessRecord } from '../accessLog/record.ts';
import { createClients, pickClient } from './clients.ts';
import { incidentFault, maxSpikeFactor, resolveIncidents, spikeFactorAt, type Incident, type IncidentInput } from './incidents.ts';
import { CreatedIds, expectedStatus, planRequest, sampleBytes, sampleWorkMs } from './mix.ts';
import { createRandom, type Random } from './random.ts';
import { resolveShape, shapeFunction, type TrafficShape } from './shape.ts';

export type TimeInput = Date | number | string;

export interface GenerateRecordsOptions {
  /** Window start (inclusive): Date, epoch ms or ISO-8601 text. */
  from: TimeInput;
  /** Window end (exclusive). */
  to: TimeInput;
  /** Mean requests per second before the shape and spikes apply. */
  rate: number;
  /** Same seed, same options → identical records. Default 1. */
  seed?: number;
  incidents?: readonly IncidentInput[];
  /** Daily/weekly rhythm (local time = UTC unless shape.timeZone is given); FLAT_SHAPE for a constant rate. */
  shape?: Partial<TrafficShape>;
  service?: string;
}

/** Records above this many are refused by generateRecords (use iterateRecords to stream). */
export const MAX_GENERATED_RECORDS = 5_000_000;

export function toEpochMs(value: TimeInput, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`${what} is not a valid time: ${String(value)}`);
  return ms;
}

export function checkRate(rate: number): void {
  if (!(Number.isFinite(rate) && rate > 0 && rate <= 100_000)) throw new Error(`rate must be a number of requests per second in (0, 100000], got ${rate}`);
}

/**
 * Streams the records the access log would hold for traffic over [from, to): arrivals follow a
 * Poisson process whose rate is rate × shape(t) × active spikes, each request is drawn from the
 * same mix the live generator sends, and status/latency/bytes are what the target server would
 * answer, with the scripted incidents applied. Records come out in timestamp order.
 */
export function iterateRecords(options: GenerateRecordsOptions): Generator<AccessRecord> {
  const fromMs = toEpochMs(options.from, 'from');
  const toMs = toEpochMs(options.to, 'to');
  if (!(toMs > fromMs)) throw new Error('"to" must be after "from"');
  checkRate(options.rate);
  // UTC unless told otherwise, so the same seed gives the same records on every machine, whatever $TZ says.
  const shape = resolveShape({ timeZone: 'UTC', ...options.shape });
  const shapeAt = shapeFunction(shape);
  const incidents = resolveIncidents(options.incidents, { startMs: fromMs, endMs: toMs });
  const service = options.service ?? 'target-server';
  const random = createRandom(options.seed ?? 1);
  return records({ rate: options.rate, fromMs, toMs, shape, shapeAt, incidents, service, random });
}

interface RecordRun {
  rate: number;
  fromMs: number;
  toMs: number;
  shape: TrafficShape;
  shapeAt: (t: number) => number;
  incidents: Incident[];
  service: string;
  random: Random;
}

// Options are checked eagerly by iterateRecords, so a bad call fails before any record is consumed.
function* records({ rate, fromMs, toMs, shape, shapeAt, incidents, service, random }: RecordRun): Generator<AccessRecord> {
  const clients = createClients(random);
  const created = new CreatedIds();
  let nextCreatedId = 1000;

  // Thinning (Lewis–Shedler): draw arrivals at the highest possible rate, keep each with
  // probability rate(t) / maxRate, which gives an exact non-homogeneous Poisson process.
  const maxPerMs = (rate * (1 + shape.amplitude) * Math.max(1, shape.weekendFactor) * maxSpikeFactor(incidents)) / 1000;
  let t = fromMs;
  for (;;) {
    t += random.exponential(maxPerMs);
    if (t >= toMs) return;
    const perMs = (rate * shapeAt(t) * spikeFactorAt(incidents, t)) / 1000;
    if (random.next() * maxPerMs >= perMs) continue;

    const plan = planRequest(random, created);
    const client = pickClient(clients, random);
    const fault = incidentFault(incidents, t, plan.path, random);
    const status = fault.status ?? expectedStatus(plan);
    if (plan.kind === 'create' && status === 201 && plan.resource) {
      created.add(plan.resource, nextCreatedId);
      nextCreatedId += 1;
    }
    const work = fault.status === undefined ? sampleWorkMs(plan.kind, random) : random.logNormal(2, 0.5);
    const latency = 0.4 + work + (plan.slowMs ?? 0) + fault.delayMs;
    const arrivalMs = Math.floor(t);
    yield {
      timestamp: new Date(arrivalMs).toISOString(),
      method: plan.method,
      path: plan.path,
      status,
      latency_ms: roundLatency(latency),
      user_agent: client.userAgent,
      ip_address: client.ip,
      request_id: random.uuid(),
      bytes: sampleBytes(plan, status, random),
      service,
    };
  }
}

/** All records of iterateRecords as an array; deterministic for a given seed and options. */
export function generateRecords(options: GenerateRecordsOptions): AccessRecord[] {
  const records: AccessRecord[] = [];
  for (const record of iterateRecords(options)) {
    records.push(record);
    if (records.length > MAX_GENERATED_RECORDS) {
      throw new Error(`more than ${MAX_GENERATED_RECORDS} records: narrow the window or rate, or stream with iterateRecords`);
    }
  }
  return records;
}

