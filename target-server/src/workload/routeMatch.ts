/**
 * Whether a request path falls under a route pattern. A pattern is a path prefix whose segments
 * must match whole ("/api/users" covers "/api/users" and "/api/users/7", not "/api/usersX");
 * ":name" segments match any one segment; "*" matches every path. The query string is ignored.
 */
export function routeMatches(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  const queryAt = path.indexOf('?');
  const bare = queryAt === -1 ? path : path.slice(0, queryAt);
  const wanted = pattern.split('/').filter(Boolean);
  const actual = bare.split('/').filter(Boolean);
  if (actual.length < wanted.length) return false;
  return wanted.every((segment, i) => segment.startsWith(':') || segment === actual[i]);
}

/** Checks a route pattern given by a user, so a typo is reported instead of silently matching nothing. */
export function assertRoutePattern(pattern: string, what: string): void {
  if (pattern === '*') return;
  if (!pattern.startsWith('/') || pattern.length > 200 || /[\s?#]/.test(pattern)) {
    throw new Error(`${what}: "${pattern}" is not a route; expected a path such as /api/users (or * for all)`);
  }
}
