/**
 * A seeded access-log dataset with known properties for the analytics tests: several services
 * and endpoints with their own latency distributions (well-separated p95s) and status mixes, an
 * error burst confined to one hour, a skewed client/user-agent mix, records spread over several
 * hour boundaries, records in the first and last minute of the analysed range and records just
 * outside it.
 */

import { seededRandom as rng } from '@logpulse/testkit/random';

export interface GeneratedLog {
  /** Position in ingest order: the stored ids increase in this order. */
  seq: number;
  timestamp: Date;
  service: string;
  method: string;
  path: string;
  /** The templated route the gateway is expected to derive from path. */
  route: string;
  status: number;
  latencyMs: number;
  userAgent: string | null;
  ipAddress: string | null;
}

interface EndpointSpec {
  service: string;
  method: string;
  route: string;
  path: (r: () => number) => string;
  weight: number;
  /** Median latency (ms) of a log-normal; sigma spreads it. */
  median: number;
  sigma: number;
  /** [status, probability] besides 200. */
  statuses: [number, number][];
}

const id = (r: () => number) => String(1 + Math.floor(r() * 9999));

// Medians and sigmas chosen so the p95s are at least ~25 % apart (slowEndpoints order is unambiguous).
const ENDPOINTS: EndpointSpec[] = [
  {
    service: 'checkout',
    method: 'GET',
    route: '/api/cart/:id',
    path: (r) => `/api/cart/${id(r)}`,
    weight: 8,
    median: 6,
    sigma: 0.3,
    statuses: [[404, 0.05]],
  },
  {
    service: 'checkout',
    method: 'POST',
    route: '/api/checkout',
    path: () => '/api/checkout?step=pay',
    weight: 3,
    median: 150,
    sigma: 0.4,
    statuses: [
      [400, 0.06],
      [409, 0.03],
      [503, 0.04],
    ],
  },
  {
    service: 'checkout',
    method: 'GET',
    route: '/api/products',
    path: () => '/api/products',
    weight: 10,
    median: 30,
    sigma: 0.5,
    statuses: [[304, 0.2]],
  },
  {
    service: 'users',
    method: 'GET',
    route: '/api/users/:id',
    path: (r) => `/api/users/${id(r)}`,
    weight: 9,
    median: 12,
    sigma: 0.35,
    statuses: [
      [404, 0.2],
      [401, 0.02],
    ],
  },
  {
    service: 'users',
    method: 'PUT',
    route: '/api/users/:id',
    path: (r) => `/api/users/${id(r)}`,
    weight: 2,
    median: 60,
    sigma: 0.3,
    statuses: [[422, 0.1]],
  },
  {
    service: 'users',
    method: 'DELETE',
    route: '/api/users/:id',
    path: (r) => `/api/users/${id(r)}/`,
    weight: 1,
    median: 70,
    sigma: 0.6,
    statuses: [[500, 0.05]],
  },
  {
    service: 'search',
    method: 'GET',
    route: '/api/search',
    path: (r) => `/api/search?q=${id(r)}`,
    weight: 5,
    median: 400,
    sigma: 0.5,
    statuses: [
      [500, 0.03],
      [429, 0.04],
    ],
  },
];

const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64)',
  'curl/8.5.0',
  'okhttp/4.12.0',
  'python-requests/2.32',
  'Go-http-client/1.1',
  'PostmanRuntime/7.39',
];

export interface Dataset {
  records: GeneratedLog[];
  /** The analysed range: minute-aligned, not hour-aligned, spanning several hour boundaries. */
  range: { from: Date; to: Date };
  /** The hour (UTC start) in which DELETE /api/users/:id fails 60 % of the time. */
  burstHour: Date;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

function pick<T>(r: () => number, items: readonly T[], weight: (t: T, i: number) => number): T {
  const total = items.reduce((a, t, i) => a + weight(t, i), 0);
  let x = r() * total;
  for (let i = 0; i < items.length; i++) {
    x -= weight(items[i]!, i);
    if (x <= 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** Standard normal by Box–Muller. */
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export function generateDataset(options: { seed: number; count: number; now: number }): Dataset {
  const r = rng(options.seed);
  // Two days back, so every timestamp is comfortably in the past and within retention.
  const base = Math.floor(options.now / HOUR) * HOUR - 48 * HOUR;
  const range = { from: new Date(base + 17 * MINUTE), to: new Date(base + 4 * HOUR + 43 * MINUTE) };
  const burstHour = new Date(base + 2 * HOUR);
  const ips = Array.from({ length: 25 }, (_, i) => `10.0.${Math.floor(i / 10)}.${i + 1}`);

  const times: number[] = [];
  // Spread over the range and 10 minutes either side of it…
  for (let i = 0; i < options.count; i++)
    times.push(range.from.getTime() - 10 * MINUTE + Math.floor(r() * (range.to.getTime() - range.from.getTime() + 20 * MINUTE)));
  // …plus records in the first and last minute of the range and just outside it.
  for (let i = 0; i < 15; i++) {
    times.push(range.from.getTime() + Math.floor(r() * MINUTE));
    times.push(range.to.getTime() - 1 - Math.floor(r() * MINUTE));
  }
  times.push(range.from.getTime() - 1, range.to.getTime(), range.from.getTime(), range.to.getTime() - 1);

  const records = times.map((t, seq): GeneratedLog => {
    const e = pick(r, ENDPOINTS, (x) => x.weight);
    const inBurst = t >= burstHour.getTime() && t < burstHour.getTime() + HOUR && e.method === 'DELETE';
    let status = 200;
    if (inBurst && r() < 0.6) status = 500;
    else {
      let x = r();
      for (const [s, p] of e.statuses) {
        if (x < p) {
          status = s;
          break;
        }
        x -= p;
      }
    }
    // Round to µs so JSON round-trips exactly.
    const latencyMs = Math.round(e.median * Math.exp(e.sigma * normal(r)) * 1000) / 1000;
    const ua = r() < 0.05 ? null : pick(r, USER_AGENTS, (_, i) => 1 / (i + 1));
    const ip = r() < 0.03 ? null : pick(r, ips, (_, i) => 1 / (i + 1) ** 1.2);
    return {
      seq,
      timestamp: new Date(t),
      service: e.service,
      method: e.method,
      path: e.path(r),
      route: e.route,
      status,
      latencyMs,
      userAgent: ua,
      ipAddress: ip,
    };
  });
  return { records, range, burstHour };
}

/** The records as the JSON objects Fluent Bit would send. */
export function toWire(records: readonly GeneratedLog[]): object[] {
  return records.map((x) => ({
    timestamp: x.timestamp.toISOString(),
    service: x.service,
    method: x.method,
    path: x.path,
    status: x.status,
    latency_ms: x.latencyMs,
    ...(x.userAgent ? { user_agent: x.userAgent } : {}),
    ...(x.ipAddress ? { ip_address: x.ipAddress } : {}),
  }));
}
