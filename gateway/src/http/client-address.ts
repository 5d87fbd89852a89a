import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from. Behind N trusted reverse proxies (TRUST_PROXY_HOPS=N; nginx in
 * docker-compose is one), it is the Nth address from the right of X-Forwarded-For: entries further
 * left were written by the client and could be anything.
 */
export function clientAddress(req: IncomingMessage, trustedProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)] ?? peer;
}
