import { Link, useSearch } from 'wouter';
import { hrefWithControls } from '../../lib/controls.ts';

/** "GET /api/users/:id" with a link to the endpoint's detail page. */
export function EndpointLink({ service, method, route, showService = false }: { service?: string | null; method: string; route: string; showService?: boolean }) {
  const search = useSearch();
  return (
    <Link href={hrefWithControls('/endpoints/detail', search, { route, method, ...(service ? { endpointService: service } : {}) })} className="endpoint-link" data-route={route} data-method={method}>
      <span className="method">{method}</span> <span className="route">{route}</span>
      {showService && service && <span className="muted"> · {service}</span>}
    </Link>
  );
}

/** Where a drill-down to the logs explorer goes: the explorer's filters as URL parameters. */
export interface LogsDrillDown {
  service?: string | null;
  route?: string | null;
  method?: string | null;
  status?: number | null;
  statusClass?: number | null;
  pathContains?: string | null;
  minLatencyMs?: number | null;
  from?: string | null;
  to?: string | null;
}

export function logsHref(search: string, filter: LogsDrillDown): string {
  return hrefWithControls('/logs', search, {
    'f.service': filter.service,
    'f.route': filter.route,
    'f.method': filter.method,
    'f.status': filter.status,
    'f.statusClass': filter.statusClass,
    'f.path': filter.pathContains,
    'f.minLatency': filter.minLatencyMs,
    'f.from': filter.from,
    'f.to': filter.to,
  });
}
