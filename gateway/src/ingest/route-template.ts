/**
 * Turns a concrete request path into the route template analyses group by, so that
 * `/api/users/42` and `/api/users/43` are one endpoint. The query string and fragment are
 * dropped; each segment that looks like an identifier becomes a placeholder:
 * numeric → `:id`, UUID → `:uuid`, hex of 8+ chars (hashes, object ids) → `:hash`,
 * long opaque tokens (base64/base62-ish, 20+ chars with digits) → `:token`.
 */
const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?=.*\d)[0-9a-f]{8,}$/i;
const TOKEN = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-=.~+]{20,}$/;
const MAX_SEGMENTS = 12;
const MAX_SEGMENT_LENGTH = 64;

function templateSegment(segment: string): string {
  if (segment === '') return segment;
  if (NUMERIC.test(segment)) return ':id';
  if (UUID.test(segment)) return ':uuid';
  if (HEX.test(segment)) return ':hash';
  if (TOKEN.test(segment)) return ':token';
  if (segment.length > MAX_SEGMENT_LENGTH) return ':token';
  return segment;
}

export function templateRoute(path: string): string {
  let p = path;
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  if (!p.startsWith('/')) p = `/${p}`;
  const segments = p.split('/').slice(1);
  const templated = segments.slice(0, MAX_SEGMENTS).map(templateSegment);
  if (segments.length > MAX_SEGMENTS) templated.push('*');
  let route = `/${templated.join('/')}`;
  // A trailing slash is the same endpoint for every framework we know of.
  if (route.length > 1 && route.endsWith('/')) route = route.slice(0, -1);
  return route;
}
