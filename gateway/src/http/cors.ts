/**
 * CORS for /graphql: an Origin on the CORS_ORIGINS list is echoed back (with credentials); any
 * other gets no CORS headers at all. (Given a list, Yoga itself answers unlisted origins with
 * `Access-Control-Allow-Origin: null` plus credentials, which a sandboxed page, whose Origin is
 * "null", would pass.) No list: same-origin only.
 */
export function corsPolicy(
  origins: readonly string[],
): false | ((request: Request) => false | { origin: string; credentials: true; methods: string[] }) {
  if (origins.length === 0) return false;
  const allowed = new Set(origins.filter((o) => o !== 'null'));
  return (request) => {
    const origin = request.headers.get('origin');
    return origin && allowed.has(origin) ? { origin, credentials: true, methods: ['GET', 'POST', 'OPTIONS'] } : false;
  };
}
