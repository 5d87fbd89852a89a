// A known, deterministic set of access-log records for the end-to-end tests: two services,
// fast, slow and failing endpoints, spread over the last 50 minutes (and a few in the hour
// before, so "change vs previous period" has something to compare with).
import type { AccessLogRecord } from '@logpulse/testkit/access-log-record';
import { seededRandom as random } from '@logpulse/testkit/random';

interface EndpointSpec {
  service: string;
  method: string;
  path: (r: () => number) => string;
  count: number;
  latency: [number, number];
  status: (r: () => number) => number;
}

const ENDPOINTS: EndpointSpec[] = [
  { service: 'shop-api', method: 'GET', path: () => '/api/products', count: 90, latency: [12, 60], status: () => 200 },
  {
    service: 'shop-api',
    method: 'GET',
    path: (r) => `/api/products/${1 + Math.floor(r() * 40)}`,
    count: 60,
    latency: [8, 40],
    status: (r) => (r() < 0.1 ? 404 : 200),
  },
  { service: 'shop-api', method: 'POST', path: () => '/api/orders', count: 30, latency: [80, 220], status: (r) => (r() < 0.1 ? 500 : 201) },
  // Enough requests (≥ 20 in the last hour) for the bottleneck analysis to judge it.
  { service: 'shop-api', method: 'GET', path: () => '/api/slow', count: 30, latency: [900, 2600], status: () => 200 },
  { service: 'shop-api', method: 'GET', path: () => '/api/error/500', count: 8, latency: [3, 12], status: () => 500 },
  {
    service: 'shop-api',
    method: 'GET',
    path: (r) => `/api/users/${100 + Math.floor(r() * 20)}`,
    count: 25,
    latency: [10, 35],
    status: (r) => (r() < 0.2 ? 404 : 200),
  },
  {
    service: 'auth-api',
    method: 'POST',
    path: () => '/auth/login',
    count: 40,
    latency: [40, 120],
    status: (r) => (r() < 0.15 ? 401 : 200),
  },
];

const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', 'curl/8.5.0', 'okhttp/4.12.0', 'python-requests/2.32'];

/** The records, oldest first. `now` is the moment the data set ends (a minute before it, in fact). */
export function buildDataset(now: number, seed = 7): AccessLogRecord[] {
  const r = random(seed);
  const records: AccessLogRecord[] = [];
  let id = 0;
  for (const spec of ENDPOINTS) {
    for (let i = 0; i < spec.count; i += 1) {
      // Most records within the last 50 minutes; every 6th one in the hour before.
      const ageMs = i % 6 === 5 ? 65 * 60_000 + r() * 50 * 60_000 : 60_000 + r() * 49 * 60_000;
      const [lo, hi] = spec.latency;
      records.push({
        timestamp: new Date(now - ageMs).toISOString(),
        service: spec.service,
        method: spec.method,
        path: spec.path(r),
        status: spec.status(r),
        latency_ms: Math.round((lo + r() * (hi - lo)) * 10) / 10,
        user_agent: AGENTS[Math.floor(r() * AGENTS.length)]!,
        ip_address: `10.0.${Math.floor(r() * 4)}.${1 + Math.floor(r() * 30)}`,
        request_id: `req-${seed}-${(id += 1)}`,
      });
    }
  }
  return records.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

/** Records that fail validation, so the pipeline page has dead letters to show. */
export const INVALID_RECORDS = [
  { timestamp: 'yesterday-ish', path: '/api/products', method: 'GET', status: 200, latency_ms: 5 },
  { timestamp: new Date().toISOString(), path: '/api/products', method: 'GET', status: 'fine', latency_ms: 5 },
];
