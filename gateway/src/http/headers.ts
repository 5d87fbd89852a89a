import type { ServerResponse } from 'node:http';

/**
 * Content-Security-Policy for the dashboard: only our own scripts; inline styles (chart
 * libraries set style attributes); fetch, SSE and the WebSocket back to the same origin only
 * ('self' covers ws:/wss: to the page's own host in CSP Level 3 browsers). Log data is rendered
 * as text by React, and this policy is the second line if that ever slipped.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Headers for every dashboard response and for GET /graphql (GraphiQL's page). */
export function setDashboardSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', DASHBOARD_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

/**
 * Headers for every /graphql response: answers hold log data, so no cache (browser or shared)
 * may keep them, and no browser may sniff them into something executable.
 */
export function setGraphQLSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-store');
}

/** 429 with Retry-After: Fluent Bit and the dev shipper retry it later, so nothing is lost. */
export function refuseRateLimited(res: ServerResponse, retryAfterSeconds: number): void {
  res.writeHead(429, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(retryAfterSeconds) });
  res.end(JSON.stringify({ error: `too many requests from this address; retry in ${retryAfterSeconds} s` }));
}
