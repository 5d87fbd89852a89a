import { parseDuration, toMilliseconds } from './duration.ts';
import type { Random } from './random.ts';
import { assertRoutePattern, routeMatches } from './routeMatch.ts';

export type IncidentKind = 'latency' | 'errors' | 'spike';

/** An incident as a caller describes it; see README "Scripted incidents" for the exact semantics. */
export interface IncidentSpec {
  kind: IncidentKind;
  /** latency/errors: route pattern (path prefix, ":param" segments, or "*"). */
  route?: string;
  /** spike: rate multiplier (> 0). */
  factor?: number;
  duration: number | string;
  /**
   * When it starts. Text: "2m" = 2 minutes after the run's start, "-2h" = 2 hours before the run's
   * end (backfill and generateRecords only), or an ISO-8601 time. A Date is absolute. Default: the run's start.
   */
  at?: string | Date;
  /** latency: mean added delay in ms (each request gets this × U(0.6, 1.4)). */
  addedLatencyMs?: number;
  /** errors: probability that a matching request fails. */
  errorRate?: number;
  /** errors: status of a failed request. */
  status?: number;
}

export type IncidentInput = string | IncidentSpec;

interface Window {
  startMs: number;
  endMs: number;
}

export type Incident =
  | (Window & { kind: 'latency'; route: string; addedLatencyMs: number })
  | (Window & { kind: 'errors'; route: string; errorRate: number; status: number })
  | (Window & { kind: 'spike'; factor: number });

export const INCIDENT_DEFAULTS = { addedLatencyMs: 1500, errorRate: 0.6, status: 500 } as const;

const KINDS: readonly IncidentKind[] = ['latency', 'errors', 'spike'];

/** Parses "latency:/api/products:5m", "errors:/api/users:2m@-2h", "spike:3x:1m@30s". */
export function parseIncident(text: string): IncidentSpec {
  const usage = 'expected kind:target:duration[@when], e.g. latency:/api/products:5m, errors:/api/users:2m@-2h, spike:3x:1m';
  const atSign = text.indexOf('@');
  const body = atSign === -1 ? text : text.slice(0, atSign);
  const at = atSign === -1 ? undefined : text.slice(atSign + 1);
  const firstColon = body.indexOf(':');
  const lastColon = body.lastIndexOf(':');
  if (firstColon === -1 || lastColon === firstColon) throw new Error(`invalid incident "${text}": ${usage}`);
  const kind = body.slice(0, firstColon);
  const target = body.slice(firstColon + 1, lastColon);
  const duration = body.slice(lastColon + 1);
  if (!KINDS.includes(kind as IncidentKind)) {
    throw new Error(`invalid incident "${text}": unknown kind "${kind}" (use ${KINDS.join(', ')})`);
  }
  if (at !== undefined && at.length === 0) throw new Error(`invalid incident "${text}": nothing after "@"`);
  if (kind === 'spike') {
    const factor = Number(target.replace(/x$/i, ''));
    return { kind: 'spike', factor, duration, ...(at === undefined ? {} : { at }) };
  }
  return { kind: kind as 'latency' | 'errors', route: target, duration, ...(at === undefined ? {} : { at }) };
}

function resolveStart(at: string | Date | undefined, window: { startMs: number; endMs?: number }, label: string): number {
  if (at === undefined) return window.startMs;
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw new Error(`${label}: invalid start date`);
    return at.getTime();
  }
  let offset: number | undefined;
  try {
    offset = parseDuration(at);
  } catch {
    offset = undefined;
  }
  if (offset === undefined) {
    const absolute = Date.parse(at);
    if (Number.isNaN(absolute)) {
      throw new Error(`${label}: "@${at}" is neither an offset (2m, -2h) nor an ISO-8601 time`);
    }
    return absolute;
  }
  if (offset >= 0) return window.startMs + offset;
  if (window.endMs === undefined) {
    throw new Error(`${label}: "@${at}" counts back from the end of the run, which only a backfill has; use a positive offset`);
  }
  return window.endMs + offset;
}

/** Turns specs into absolute windows for a run that starts at `startMs` (and, for backfills, ends at `endMs`). */
export function resolveIncidents(inputs: readonly IncidentInput[] | undefined, window: { startMs: number; endMs?: number }): Incident[] {
  return (inputs ?? []).map((input) => {
    const spec = typeof input === 'string' ? parseIncident(input) : input;
    const label = `incident ${typeof input === 'string' ? `"${input}"` : spec.kind}`;
    if (!KINDS.includes(spec.kind)) throw new Error(`${label}: unknown kind "${String(spec.kind)}"`);
    const durationMs = toMilliseconds(spec.duration, `${label}: duration`);
    if (!(durationMs > 0)) throw new Error(`${label}: duration must be positive`);
    const startMs = resolveStart(spec.at, window, label);
    const timing = { startMs, endMs: startMs + durationMs };
    if (spec.kind === 'spike') {
      const factor = spec.factor ?? NaN;
      if (!(factor > 0 && factor <= 100)) throw new Error(`${label}: spike factor must be a number in (0, 100], like 3x`);
      return { kind: 'spike', factor, ...timing };
    }
    const route = spec.route ?? '';
    assertRoutePattern(route, label);
    if (spec.kind === 'latency') {
      const addedLatencyMs = spec.addedLatencyMs ?? INCIDENT_DEFAULTS.addedLatencyMs;
      if (!(addedLatencyMs > 0 && addedLatencyMs <= 60_000)) throw new Error(`${label}: addedLatencyMs must be in (0, 60000]`);
      return { kind: 'latency', route, addedLatencyMs, ...timing };
    }
    const errorRate = spec.errorRate ?? INCIDENT_DEFAULTS.errorRate;
    const status = spec.status ?? INCIDENT_DEFAULTS.status;
    if (!(errorRate >= 0 && errorRate <= 1)) throw new Error(`${label}: errorRate must be in [0, 1]`);
    if (!(Number.isInteger(status) && status >= 400 && status <= 599)) throw new Error(`${label}: status must be 400-599`);
    return { kind: 'errors', route, errorRate, status, ...timing };
  });
}

const isActive = (incident: Incident, t: number): boolean => t >= incident.startMs && t < incident.endMs;

/** Product of the factors of every spike active at t. */
export function spikeFactorAt(incidents: readonly Incident[], t: number): number {
  let factor = 1;
  for (const incident of incidents) if (incident.kind === 'spike' && isActive(incident, t)) factor *= incident.factor;
  return factor;
}

/** Highest rate multiplier any moment can have (for Poisson thinning). */
export function maxSpikeFactor(incidents: readonly Incident[]): number {
  return incidents.reduce((product, i) => (i.kind === 'spike' && i.factor > 1 ? product * i.factor : product), 1);
}

export interface Fault {
  /** Status the request should fail with, if it should. */
  status?: number;
  /** Delay to add before answering. */
  delayMs: number;
}

/**
 * What the active incidents do to one request at time t. Latency incidents add their delay
 * (overlapping ones add up); each errors incident fails the request with its own probability.
 * Random draws happen only for incidents that match, so unaffected traffic is unchanged.
 */
export function incidentFault(incidents: readonly Incident[], t: number, path: string, random: Random): Fault {
  const fault: Fault = { delayMs: 0 };
  for (const incident of incidents) {
    if (incident.kind === 'spike' || !isActive(incident, t) || !routeMatches(incident.route, path)) continue;
    if (incident.kind === 'latency') {
      fault.delayMs += Math.round(incident.addedLatencyMs * random.uniform(0.6, 1.4));
    } else if (fault.status === undefined && random.chance(incident.errorRate)) {
      fault.status = incident.status;
    }
  }
  return fault;
}
