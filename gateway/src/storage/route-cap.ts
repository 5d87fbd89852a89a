import type pg from 'pg';

/** The single route that absorbs a service's routes beyond its cap. */
export const OVERFLOW_ROUTE = '/:other';

interface Routed {
  service: string;
  method: string;
  route: string;
}

/**
 * Caps the number of distinct (method, route) pairs per service, so a scanner requesting random
 * URLs cannot explode the cardinality of rollups and charts: past the cap, new routes are stored
 * as `/:other`. Known routes live in `service_routes` (shared by replicas) and are cached here.
 */
export class RouteRegistry {
  private readonly known = new Map<string, Set<string>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly cap: number,
  ) {}

  /** Rewrites `route` in place for records whose route is over their service's cap. */
  async apply(records: Routed[]): Promise<void> {
    const fresh = new Map<string, Map<string, Routed>>();
    // Known routes of every service in the batch first: one await per service, not per record.
    const known = new Map<string, Set<string>>();
    for (const r of records) if (!known.has(r.service)) known.set(r.service, await this.routesOf(r.service));
    for (const r of records) {
      const routes = known.get(r.service)!;
      const key = `${r.method} ${r.route}`;
      if (routes.has(key)) continue;
      let pending = fresh.get(r.service);
      if (!pending) fresh.set(r.service, (pending = new Map()));
      if (!pending.has(key) && routes.size + pending.size < this.cap) pending.set(key, r);
      if (!pending.has(key)) r.route = OVERFLOW_ROUTE;
    }
    for (const [service, pending] of fresh) {
      if (pending.size === 0) continue;
      const entries = [...pending.values()];
      await this.pool.query(
        `INSERT INTO service_routes (service, method, route) SELECT $1, m, r FROM unnest($2::text[], $3::text[]) AS t(m, r)
         ON CONFLICT DO NOTHING`,
        [service, entries.map((e) => e.method), entries.map((e) => e.route)],
      );
      const routes = await this.routesOf(service);
      for (const key of pending.keys()) routes.add(key);
    }
  }

  private async routesOf(service: string): Promise<Set<string>> {
    let routes = this.known.get(service);
    if (!routes) {
      const { rows } = await this.pool.query<{ method: string; route: string }>(
        'SELECT method, route FROM service_routes WHERE service = $1',
        [service],
      );
      routes = new Set(rows.map((row) => `${row.method} ${row.route}`));
      this.known.set(service, routes);
    }
    return routes;
  }
}
