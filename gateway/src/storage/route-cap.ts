import type pg from 'pg';
import { endpointLabel } from '../domain/endpoint.ts';

/** The single route that absorbs a service's routes beyond its cap. */
const OVERFLOW_ROUTE = '/:other';

interface Routed {
  service: string;
  method: string;
  route: string;
}

/** How long the list of known services is trusted before a batch naming a new one re-reads it (other replicas add services too). */
const SERVICES_REFRESH_MS = 5_000;

/**
 * Caps the number of distinct (method, route) pairs per service, so a scanner requesting random
 * URLs cannot explode the cardinality of rollups and charts: past the cap, new routes are stored
 * as `/:other`. Known routes live in `service_routes` (shared by replicas) and are cached here.
 * Also caps the number of services (MAX_SERVICES): a batch naming new services past it has their
 * records refused. A batch costs the same few statements however many services it names.
 */
export class RouteRegistry {
  private readonly known = new Map<string, Set<string>>();
  private services: Set<string> | null = null;
  private servicesReadAt = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly cap: number,
    private readonly maxServices = Infinity,
  ) {}

  /** The services of `batch` that are new and past MAX_SERVICES: their records must not be stored. */
  async refusedServices(batch: Iterable<string>): Promise<Set<string>> {
    const refused = new Set<string>();
    if (!Number.isFinite(this.maxServices)) return refused;
    const unknown = () => [...new Set(batch)].filter((s) => !this.services?.has(s));
    if (unknown().length === 0) return refused;
    if (!this.services || Date.now() - this.servicesReadAt > SERVICES_REFRESH_MS) {
      const { rows } = await this.pool.query<{ service: string }>('SELECT DISTINCT service FROM service_routes');
      this.services = new Set(rows.map((row) => row.service));
      this.servicesReadAt = Date.now();
    }
    for (const service of unknown()) {
      // Admitted services are stored by `apply` (their first route), which makes them known to every replica.
      if (this.services.size < this.maxServices) this.services.add(service);
      else refused.add(service);
    }
    return refused;
  }

  /** Rewrites `route` in place for records whose route is over their service's cap. */
  async apply(records: Routed[]): Promise<void> {
    await this.load(records.map((r) => r.service));
    const fresh = new Map<string, Map<string, Routed>>();
    for (const r of records) {
      const routes = this.known.get(r.service)!;
      const key = endpointLabel(r);
      if (routes.has(key)) continue;
      let pending = fresh.get(r.service);
      if (!pending) fresh.set(r.service, (pending = new Map()));
      if (!pending.has(key) && routes.size + pending.size < this.cap) pending.set(key, r);
      if (!pending.has(key)) r.route = OVERFLOW_ROUTE;
    }
    const entries = [...fresh.values()].flatMap((pending) => [...pending.values()]);
    if (entries.length === 0) return;
    // One statement for every service's new routes.
    await this.pool.query(
      `INSERT INTO service_routes (service, method, route) SELECT s, m, r FROM unnest($1::text[], $2::text[], $3::text[]) AS t(s, m, r)
       ON CONFLICT DO NOTHING`,
      [entries.map((e) => e.service), entries.map((e) => e.method), entries.map((e) => e.route)],
    );
    for (const [service, pending] of fresh) {
      const routes = this.known.get(service)!;
      for (const key of pending.keys()) routes.add(key);
    }
  }

  /** Reads the known routes of every service not cached yet, in one statement. */
  private async load(services: Iterable<string>): Promise<void> {
    const missing = [...new Set(services)].filter((s) => !this.known.has(s));
    if (missing.length === 0) return;
    const { rows } = await this.pool.query<{ service: string; method: string; route: string }>(
      'SELECT service, method, route FROM service_routes WHERE service = ANY($1::text[])',
      [missing],
    );
    for (const service of missing) this.known.set(service, new Set());
    for (const row of rows) this.known.get(row.service)!.add(endpointLabel(row));
  }
}
