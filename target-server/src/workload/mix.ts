import type { Random } from './random.ts';

export type Resource = 'users' | 'products';
export type EndpointKind = 'list' | 'read' | 'create' | 'update' | 'delete' | 'slow' | 'error404' | 'error500' | 'unknownRoute';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Ids the target server creates at start, so reads of 1..N find something. */
export const SEEDED_COUNT: Record<Resource, number> = { users: 25, products: 40 };

/** One request the workload wants to make, before anyone answers it. */
export interface RequestPlan {
  method: HttpMethod;
  /** Raw path including any query string, as it will be sent and logged. */
  path: string;
  kind: EndpointKind;
  resource?: Resource;
  /** Whether the id in the path exists (for read/update/delete). */
  knownId: boolean;
  /** JSON body for POST/PUT. */
  body?: Record<string, unknown>;
  /** Whether the body passes the server's validation. */
  validBody: boolean;
  /** Requested delay of /api/slow. */
  slowMs?: number;
}

/**
 * Ids created by this workload. Deletes consume them, so the store stays about the same size
 * and deletes of unknown ids (404) stay rare.
 */
export class CreatedIds {
  private readonly ids: Record<Resource, number[]> = { users: [], products: [] };

  add(resource: Resource, id: number): void {
    const list = this.ids[resource];
    list.push(id);
    // A long run never deletes most creations; keep only the newest few thousand.
    if (list.length > 5000) list.splice(0, list.length - 5000);
  }

  take(resource: Resource, random: Random): number | undefined {
    const list = this.ids[resource];
    if (list.length === 0) return undefined;
    const index = random.int(0, list.length - 1);
    const [id] = list.splice(index, 1);
    return id;
  }
}

const ENDPOINT_WEIGHTS: readonly (readonly [readonly [EndpointKind, Resource | undefined], number])[] = [
  [['list', 'users'], 17],
  [['list', 'products'], 23],
  [['read', 'users'], 14],
  [['read', 'products'], 19],
  [['create', 'users'], 4],
  [['create', 'products'], 4],
  [['update', 'users'], 3],
  [['update', 'products'], 3],
  [['delete', 'users'], 3],
  [['delete', 'products'], 3],
  [['slow', undefined], 3],
  [['error404', undefined], 2],
  [['error500', undefined], 0.7],
  [['unknownRoute', undefined], 0.8],
];

const FIRST_NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan', 'Radia', 'Jiwon', 'Minho'];
const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'Turing',
  'Perlman',
  'Kim',
  'Park',
];
const ROLES = ['admin', 'member', 'viewer'] as const;
const PRODUCT_WORDS = ['Keyboard', 'Monitor', 'Mouse', 'Headset', 'Webcam', 'Dock', 'Cable', 'Lamp', 'Chair', 'Desk'];
const CATEGORIES = ['peripherals', 'displays', 'audio', 'furniture', 'accessories'];
const UNKNOWN_ROUTES = ['/api/orders', '/api/user', '/api/v2/users', '/wp-login.php', '/.env', '/favicon.ico'];

function userBody(random: Random, valid: boolean): Record<string, unknown> {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const body: Record<string, unknown> = {
    name: `${first} ${last}`,
    email: `${first}.${last}${random.int(1, 999)}@example.com`.toLowerCase(),
    role: random.pick(ROLES),
  };
  if (!valid) {
    const flaw = random.int(0, 2);
    if (flaw === 0) delete body.email;
    else if (flaw === 1) body.email = 'not-an-email';
    else body.name = '';
  }
  return body;
}

function productBody(random: Random, valid: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: `${random.pick(PRODUCT_WORDS)} ${random.int(100, 999)}`,
    price: Math.round(random.uniform(5, 500) * 100) / 100,
    stock: random.int(0, 250),
    category: random.pick(CATEGORIES),
  };
  if (!valid) {
    const flaw = random.int(0, 2);
    if (flaw === 0) body.price = -1;
    else if (flaw === 1) body.price = 'cheap';
    else delete body.name;
  }
  return body;
}

const unknownId = (random: Random): number => random.int(90_000, 99_999);

/** Chooses the next request of the realistic mix: mostly reads, some writes, a few 404s, rare 500s. */
export function planRequest(random: Random, created: CreatedIds): RequestPlan {
  const [kind, resource] = random.weighted(ENDPOINT_WEIGHTS);
  const base = resource ? `/api/${resource}` : '';
  switch (kind) {
    case 'list': {
      const page = random.next();
      const query = page < 0.7 ? '' : page < 0.9 ? `?limit=20&offset=${random.int(1, 4) * 20}` : `?limit=${random.pick([5, 10, 50])}`;
      return { method: 'GET', path: `${base}${query}`, kind, resource, knownId: true, validBody: true };
    }
    case 'read':
    case 'update': {
      const knownId = random.chance(0.95);
      const id = knownId ? random.int(1, SEEDED_COUNT[resource as Resource]) : unknownId(random);
      const plan: RequestPlan = {
        method: kind === 'read' ? 'GET' : 'PUT',
        path: `${base}/${id}`,
        kind,
        resource,
        knownId,
        validBody: true,
      };
      if (kind === 'update') {
        plan.validBody = random.chance(0.95);
        plan.body = resource === 'users' ? userBody(random, plan.validBody) : productBody(random, plan.validBody);
      }
      return plan;
    }
    case 'create': {
      const validBody = random.chance(0.9);
      const body = resource === 'users' ? userBody(random, validBody) : productBody(random, validBody);
      return { method: 'POST', path: base, kind, resource, knownId: true, body, validBody };
    }
    case 'delete': {
      const id = created.take(resource as Resource, random);
      return { method: 'DELETE', path: `${base}/${id ?? unknownId(random)}`, kind, resource, knownId: id !== undefined, validBody: true };
    }
    case 'slow': {
      const slowMs = random.int(200, 1200);
      return { method: 'GET', path: `/api/slow?ms=${slowMs}`, kind, knownId: true, validBody: true, slowMs };
    }
    case 'error404':
      return { method: 'GET', path: '/api/error/404', kind, knownId: true, validBody: true };
    case 'error500':
      return { method: 'GET', path: '/api/error/500', kind, knownId: true, validBody: true };
    case 'unknownRoute':
      return { method: 'GET', path: random.pick(UNKNOWN_ROUTES), kind, knownId: false, validBody: true };
  }
}

/** Median time the server spends on each kind of request (its simulated work), in ms. */
const WORK_MEDIAN_MS: Record<EndpointKind, number> = {
  list: 14,
  read: 6,
  create: 18,
  update: 15,
  delete: 9,
  slow: 1,
  error404: 1.5,
  error500: 2,
  unknownRoute: 1,
};

/** A draw of simulated work time for a request of this kind. */
export function sampleWorkMs(kind: EndpointKind, random: Random): number {
  return random.logNormal(WORK_MEDIAN_MS[kind], 0.5);
}

/** Status the target server gives a plan when nothing is injected. */
export function expectedStatus(plan: RequestPlan): number {
  switch (plan.kind) {
    case 'list':
    case 'slow':
      return 200;
    case 'read':
      return plan.knownId ? 200 : 404;
    case 'create':
      return plan.validBody ? 201 : 400;
    case 'update':
      return !plan.knownId ? 404 : plan.validBody ? 200 : 400;
    case 'delete':
      return plan.knownId ? 204 : 404;
    case 'error500':
      return 500;
    case 'error404':
    case 'unknownRoute':
      return 404;
  }
}

/** Approximate response size for a status and kind, calibrated on what the server really sends. */
export function sampleBytes(plan: RequestPlan, status: number, random: Random): number {
  if (status === 204) return 0;
  if (status === 400) return random.int(110, 210);
  if (status === 404) return random.int(32, 62);
  if (status >= 500) return random.int(33, 63);
  switch (plan.kind) {
    case 'list': {
      const limit = Number(/[?&]limit=(\d+)/.exec(plan.path)?.[1] ?? 20);
      return 45 + limit * random.int(155, 170);
    }
    case 'read':
    case 'update':
    case 'create':
      return random.int(145, 175);
    default:
      return random.int(16, 20);
  }
}
