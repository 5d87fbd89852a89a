import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, tokenMatches } from './auth.ts';

/**
 * The dashboard token, when configured, may be presented as `Authorization: Bearer <token>`
 * (API clients) or as the password of HTTP Basic auth (browsers: they prompt once and then send
 * it with every same-origin request, the WebSocket upgrade included).
 */
export function presentedDashboardToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const bearer = bearerToken(header);
  if (bearer) return bearer;
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** True when no dashboard token is configured or the request carries it. */
export function dashboardAuthorized(req: IncomingMessage, dashboardToken: string | undefined): boolean {
  if (!dashboardToken) return true;
  return tokenMatches(presentedDashboardToken(req), [dashboardToken]);
}

export function refuseDashboard(res: ServerResponse): void {
  res.writeHead(401, {
    'content-type': 'application/json',
    'www-authenticate': 'Basic realm="logpulse", charset="UTF-8"',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify({ error: 'dashboard token required (Bearer token, or the password of Basic auth)' }));
}
