import type { IncomingMessage } from 'node:http';

/**
 * Whether a request's `Origin` may use the gateway with the user's credentials: absent (not a
 * browser, or a same-origin GET), the gateway's own origin, or one on CORS_ORIGINS. A WebSocket
 * upgrade is not subject to CORS, so without this check any page the user visits could open a
 * socket to the gateway with the browser's saved login and read every log.
 *
 * "Own origin" compares the Origin's host with the Host header, which a reverse proxy passes
 * through (nginx: `proxy_set_header Host $host`, which drops the port: then the host name alone
 * must match). The scheme is not compared: TLS usually ends at the proxy.
 */
export function originAllowed(req: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin !== 'null' && corsOrigins.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const host = (req.headers.host ?? '').toLowerCase();
  if (!host) return false;
  if (parsed.host === host) return true;
  // A Host header without a port (behind a proxy that drops it) matches by host name.
  const hostHasPort = /:\d+$/.test(host) && !host.endsWith(']');
  return !hostHasPort && parsed.hostname === host;
}
