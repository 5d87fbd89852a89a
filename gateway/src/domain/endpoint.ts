/** An endpoint: templated route, method and the service that serves it. */
export interface EndpointKey {
  service: string;
  method: string;
  route: string;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Stable order for ties: service, method, route. */
export function compareEndpoints(a: EndpointKey, b: EndpointKey): number {
  return compareText(a.service, b.service) || compareText(a.method, b.method) || compareText(a.route, b.route);
}

/** A map key for an endpoint; the separator cannot occur in a service, method or route. */
export const endpointKey = (e: EndpointKey): string => `${e.service}\u0001${e.method}\u0001${e.route}`;

/**
 * How an endpoint is written for people (and in the heatmap's stable row id): "GET /api/users/:id",
 * or with its service first, "checkout GET /api/users/:id".
 */
export const endpointLabel = (e: { method: string; route: string; service?: string | null }, withService = false): string =>
  `${withService && e.service ? `${e.service} ` : ''}${e.method} ${e.route}`;
