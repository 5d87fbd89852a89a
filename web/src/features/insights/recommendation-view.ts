import type { RecommendationKind } from '../../gql/graphql.ts';
import type { LogsDrillDown } from '../shared/Endpoint.tsx';

/** The fields of a recommendation its drill-down and subject come from. */
export interface RecommendationFacts {
  kind: RecommendationKind;
  service: string | null;
  method: string | null;
  route: string | null;
  title: string;
}

/**
 * The logs that show the problem: the route's 5xx or 404 responses when that is the finding,
 * else all of the route's requests. Null when the finding is not about one route (the logs
 * explorer cannot filter by client address).
 */
export function recommendationLogs(r: RecommendationFacts, service: string | null): LogsDrillDown | null {
  if (r.route === null) return null;
  return {
    service: r.service ?? service,
    route: r.route,
    method: r.method,
    statusClass: r.kind === 'INVESTIGATE_5XX' ? 5 : null,
    status: r.kind === 'FIX_404_ROUTE' ? 404 : null,
  };
}

const CLIENT_TITLE = /^Rate-limit the noisy client (.+)$/;

/**
 * The client address of a rate-limit suggestion. The API has no field for it; its (English)
 * title ends with the address, and anything unexpected is shown whole rather than guessed at.
 */
export function recommendationClient(r: RecommendationFacts): string | null {
  if (r.kind !== 'RATE_LIMIT_CLIENT') return null;
  return CLIENT_TITLE.exec(r.title)?.[1] ?? r.title;
}
