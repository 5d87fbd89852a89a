/**
 * The synthetic API traffic every benchmark uses: ~50 endpoints over 8 services, each with its
 * own weight, latency distribution (log-normal around a median) and 4xx/5xx rates. The same
 * catalogue drives the Node record generator (ingest, live, GoAccess) and the SQL seeding of
 * the analyses databases, so both describe one system.
 */
import { seededRandom } from '@logpulse/testkit/random';

export interface Endpoint {
  service: string;
  method: string;
  /** Route template as the gateway stores it; placeholders become concrete ids in paths. */
  route: string;
  /** Relative share of traffic. */
  weight: number;
  medianMs: number;
  /** Spread of ln(latency). */
  sigma: number;
  p4xx: number;
  p5xx: number;
}

const e = (
  service: string,
  method: string,
  route: string,
  weight: number,
  medianMs: number,
  sigma: number,
  p4xx: number,
  p5xx: number,
): Endpoint => ({
  service,
  method,
  route,
  weight,
  medianMs,
  sigma,
  p4xx,
  p5xx,
});

export const ENDPOINTS: readonly Endpoint[] = [
  e('catalog', 'GET', '/api/products', 60, 30, 0.5, 0.01, 0.002),
  e('catalog', 'GET', '/api/products/:id', 120, 18, 0.4, 0.04, 0.002),
  e('catalog', 'GET', '/api/products/:id/reviews', 25, 45, 0.5, 0.02, 0.003),
  e('catalog', 'POST', '/api/products', 3, 80, 0.4, 0.12, 0.01),
  e('catalog', 'PUT', '/api/products/:id', 3, 70, 0.4, 0.08, 0.01),
  e('catalog', 'DELETE', '/api/products/:id', 1, 60, 0.4, 0.05, 0.02),
  e('catalog', 'GET', '/api/categories', 30, 8, 0.3, 0.005, 0.001),
  e('catalog', 'GET', '/api/categories/:id/products', 35, 40, 0.5, 0.02, 0.003),
  e('checkout', 'GET', '/api/cart/:id', 50, 6, 0.3, 0.05, 0.001),
  e('checkout', 'POST', '/api/cart/:id/items', 20, 25, 0.4, 0.06, 0.005),
  e('checkout', 'DELETE', '/api/cart/:id/items/:id', 6, 20, 0.4, 0.05, 0.004),
  e('checkout', 'POST', '/api/checkout', 8, 150, 0.4, 0.09, 0.04),
  e('checkout', 'GET', '/api/orders/:id', 15, 40, 0.5, 0.03, 0.003),
  e('checkout', 'GET', '/api/orders', 10, 55, 0.5, 0.02, 0.004),
  e('checkout', 'POST', '/api/orders/:id/cancel', 1, 90, 0.4, 0.15, 0.02),
  e('payments', 'POST', '/api/payments', 7, 320, 0.5, 0.06, 0.03),
  e('payments', 'GET', '/api/payments/:id', 4, 35, 0.4, 0.04, 0.004),
  e('payments', 'POST', '/api/payments/:id/refund', 0.5, 400, 0.5, 0.1, 0.05),
  e('payments', 'POST', '/webhooks/stripe', 3, 12, 0.6, 0.02, 0.01),
  e('users', 'GET', '/api/users/:id', 45, 12, 0.35, 0.2, 0.001),
  e('users', 'PUT', '/api/users/:id', 4, 60, 0.3, 0.1, 0.005),
  e('users', 'DELETE', '/api/users/:id', 0.5, 70, 0.6, 0.02, 0.05),
  e('users', 'POST', '/api/users', 2, 110, 0.4, 0.15, 0.01),
  e('users', 'GET', '/api/users/:id/settings', 10, 15, 0.3, 0.02, 0.002),
  e('users', 'PATCH', '/api/users/:id/settings', 2, 35, 0.3, 0.05, 0.004),
  e('users', 'GET', '/api/users/:uuid/avatar', 18, 9, 0.5, 0.03, 0.001),
  e('auth', 'POST', '/api/login', 12, 90, 0.3, 0.15, 0.002),
  e('auth', 'POST', '/api/logout', 4, 8, 0.3, 0.01, 0.001),
  e('auth', 'POST', '/api/token/refresh', 25, 14, 0.3, 0.08, 0.002),
  e('auth', 'POST', '/api/password/reset', 0.6, 200, 0.4, 0.2, 0.01),
  e('auth', 'GET', '/api/session', 40, 4, 0.3, 0.1, 0.001),
  e('search', 'GET', '/api/search', 40, 400, 0.5, 0.04, 0.03),
  e('search', 'GET', '/api/suggest', 50, 35, 0.4, 0.01, 0.005),
  e('search', 'GET', '/api/search/facets', 12, 120, 0.5, 0.01, 0.01),
  e('search', 'POST', '/api/search/reindex', 0.1, 2_500, 0.6, 0.05, 0.1),
  e('media', 'GET', '/api/images/:hash', 70, 20, 0.8, 0.02, 0.001),
  e('media', 'POST', '/api/images', 3, 600, 0.5, 0.05, 0.02),
  e('media', 'GET', '/api/videos/:id/manifest', 8, 45, 0.5, 0.01, 0.004),
  e('media', 'GET', '/api/videos/:id/segments/:id', 30, 25, 0.6, 0.005, 0.002),
  e('media', 'DELETE', '/api/images/:hash', 0.3, 50, 0.4, 0.1, 0.02),
  e('notify', 'POST', '/api/notifications', 6, 70, 0.5, 0.03, 0.02),
  e('notify', 'GET', '/api/notifications', 20, 22, 0.4, 0.02, 0.002),
  e('notify', 'POST', '/api/notifications/:id/read', 5, 15, 0.4, 0.04, 0.002),
  e('notify', 'GET', '/api/events/stream', 4, 1_200, 0.7, 0.01, 0.01),
  e('ops', 'GET', '/healthz', 25, 1, 0.2, 0, 0),
  e('ops', 'GET', '/readyz', 25, 2, 0.3, 0, 0.002),
  e('ops', 'GET', '/metrics', 12, 3, 0.3, 0, 0),
  e('ops', 'GET', '/api/admin/reports', 0.5, 1_800, 0.6, 0.05, 0.04),
  e('ops', 'POST', '/api/admin/export', 0.2, 4_000, 0.5, 0.1, 0.08),
  e('ops', 'GET', '/api/feature-flags', 15, 5, 0.3, 0.002, 0.001),
];

export const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'okhttp/4.12.0',
  'curl/8.5.0',
  'python-requests/2.32.3',
  'Go-http-client/1.1',
];

export const STATUS_4XX: readonly number[] = [400, 401, 403, 404, 404, 404, 409, 422, 429];
export const STATUS_5XX: readonly number[] = [500, 500, 502, 503, 504];

/** Endpoint index per 1/10000 of traffic, so picking one is a single array lookup (also in SQL). */
export function endpointSlots(endpoints: readonly Endpoint[] = ENDPOINTS, slots = 10_000): number[] {
  const total = endpoints.reduce((sum, ep) => sum + ep.weight, 0);
  const out: number[] = [];
  let cumulative = 0;
  endpoints.forEach((ep, i) => {
    cumulative += ep.weight;
    const until = Math.round((cumulative / total) * slots);
    while (out.length < until) out.push(i);
  });
  return out;
}

/** Seedable, so every run generates the same traffic. */
export const createRandom = seededRandom;

export interface AccessRecord {
  /** Epoch milliseconds. */
  time: number;
  service: string;
  method: string;
  path: string;
  route: string;
  status: number;
  latencyMs: number;
  userAgent: string;
  ip: string;
  requestId: string;
  bytes: number;
}

export interface GenerateOptions {
  count: number;
  /** Epoch ms of the first and (just after) the last record; records come out in time order. */
  from: number;
  to: number;
  seed?: number;
  /** Prefix of request ids, to keep separate runs distinguishable. */
  idPrefix?: string;
}

/**
 * Yields `count` access records in time order, spread evenly over [from, to) with jitter.
 * Paths carry concrete ids (numeric, hex hashes, UUIDs) that the gateway templates back to the
 * catalogue's routes.
 */
export function* generateRecords(options: GenerateOptions): Generator<AccessRecord> {
  const random = createRandom(options.seed ?? 42);
  const slots = endpointSlots();
  const span = options.to - options.from;
  const prefix = options.idPrefix ?? 'r';
  for (let i = 0; i < options.count; i++) {
    const ep = ENDPOINTS[slots[Math.floor(random() * slots.length)]!]!;
    const r = random();
    const status =
      r < ep.p5xx
        ? STATUS_5XX[Math.floor(random() * STATUS_5XX.length)]!
        : r < ep.p5xx + ep.p4xx
          ? STATUS_4XX[Math.floor(random() * STATUS_4XX.length)]!
          : ep.method === 'POST'
            ? 201
            : random() < 0.1
              ? 304
              : 200;
    // Box-Muller: a standard normal from two uniforms.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const latency = Math.round(ep.medianMs * Math.exp(ep.sigma * normal) * 1000) / 1000;
    yield {
      time: options.from + Math.floor(((i + random()) / options.count) * span),
      service: ep.service,
      method: ep.method,
      path: concretePath(ep.route, random),
      route: ep.route,
      status,
      latencyMs: status >= 500 && random() < 0.3 ? Math.round(latency * 4 * 1000) / 1000 : latency,
      userAgent: USER_AGENTS[Math.floor(random() ** 2 * USER_AGENTS.length)]!,
      ip: `10.${Math.floor(random() * 4)}.${Math.floor(random() ** 3 * 250)}.${1 + Math.floor(random() * 250)}`,
      requestId: `${prefix}-${i.toString(36)}`,
      bytes: status === 304 ? 0 : Math.floor(200 + random() ** 2 * 40_000),
    };
  }
}

function concretePath(route: string, random: () => number): string {
  return route
    .replaceAll(':id', () => String(1 + Math.floor(random() * 100_000)))
    .replaceAll(
      ':hash',
      () =>
        `${Math.floor(random() * 10)}${Math.floor(random() * 0xffffffff)
          .toString(16)
          .padStart(8, '0')}${Math.floor(random() * 0xfffffff)
          .toString(16)
          .padStart(7, '0')}`,
    )
    .replaceAll(':uuid', () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
    });
}

/**
 * One line as Fluent Bit's `json_lines` output sends it: its own `date` key (epoch seconds)
 * first, then the record as the service logged it.
 */
export function fluentBitLine(r: AccessRecord, extra?: Record<string, unknown>): string {
  return JSON.stringify({
    date: r.time / 1000,
    timestamp: new Date(r.time).toISOString(),
    service: r.service,
    method: r.method,
    path: r.path,
    status: r.status,
    latency_ms: r.latencyMs,
    user_agent: r.userAgent,
    ip_address: r.ip,
    request_id: r.requestId,
    bytes: r.bytes,
    ...extra,
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * NCSA combined format plus the request time in seconds (nginx's `$request_time`), so GoAccess
 * can report latency too: `ip - - [day/Mon/year:hh:mm:ss +0000] "GET /path HTTP/1.1" status
 * bytes "-" "agent" 0.012`.
 */
export function combinedLine(r: AccessRecord): string {
  const d = new Date(r.time);
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `${r.ip} - - [${stamp}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${r.userAgent}" ${(r.latencyMs / 1000).toFixed(3)}\n`;
}

/** GoAccess's --log-format for combinedLine. */
export const GOACCESS_LOG_FORMAT = '%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T';
