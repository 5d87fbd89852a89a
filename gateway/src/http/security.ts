import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { maskError, type Plugin } from 'graphql-yoga';
import { isUnavailableError } from '../storage/db.ts';
import { bearerToken, tokenMatches } from './auth.ts';

/**
 * Content-Security-Policy for the dashboard: only our own scripts; inline styles (chart
 * libraries set style attributes); WebSocket/SSE back to the same origin. Log data is rendered
 * as text by React, and this policy is the second line if that ever slipped.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Headers for every dashboard response (GraphiQL at /graphql keeps its own page rules). */
export function setDashboardSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', DASHBOARD_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

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

export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  /** "Did you mean …?" hints leak field names; off whenever introspection is. */
  blockFieldSuggestions: boolean;
}

/**
 * Protection against expensive or hostile operations: depth, alias, token and cost limits
 * (graphql-armor), applied to HTTP and WebSocket operations alike (both go through Yoga's envelope).
 */
export function graphqlProtection(limits: GraphQLLimits): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
      maxAliases: { n: limits.maxAliases },
      costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
      maxTokens: { n: limits.maxTokens },
      maxDirectives: { n: 20 },
      blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
    }) as Plugin,
  ];
}

/**
 * Turns off `__schema` / `__type` queries (GRAPHQL_INTROSPECTION=false; the default in
 * production). `__typename` stays allowed: clients such as urql's cache rely on it.
 */
export function disableIntrospection(): Plugin {
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

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

/** 429 with Retry-After: Fluent Bit and the dev shipper retry it later, so nothing is lost. */
export function refuseRateLimited(res: ServerResponse, retryAfterSeconds: number): void {
  res.writeHead(429, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(retryAfterSeconds) });
  res.end(JSON.stringify({ error: `too many requests from this address; retry in ${retryAfterSeconds} s` }));
}

/** True for PostgreSQL's "canceling statement due to statement timeout" (57014), however wrapped. */
export function isStatementTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, originalCode, message } = e as { code?: unknown; originalCode?: unknown; message?: unknown };
    if (code === '57014' || originalCode === '57014') return true;
    if (typeof message === 'string' && /statement timeout/i.test(message)) return true;
  }
  return false;
}

export const storageUnavailable = () =>
  new GraphQLError('storage is not ready; retry shortly', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });

/**
 * Yoga's error masking with two expected conditions spelled out: a query stopped by
 * STATEMENT_TIMEOUT_MS, and storage being unreachable (503, retryable). Anything else unexpected
 * becomes "Unexpected error." — in production without message, stack or SQL.
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  const original = (error as { originalError?: unknown }).originalError;
  if (original && isStatementTimeout(original)) {
    return new GraphQLError(
      'The query ran longer than the server allows (STATEMENT_TIMEOUT_MS); narrow the time range or filters and try again',
      {
        extensions: { code: 'QUERY_TIMEOUT' },
      },
    );
  }
  if (original && isUnavailableError(original)) return storageUnavailable();
  // 22021/22P05: a text argument PostgreSQL cannot hold (NUL characters). Every analysis passes
  // its filters as parameters, so this is the client's input, not a server fault.
  const code = (original as { code?: unknown } | undefined)?.code;
  if (code === '22021' || code === '22P05') {
    return new GraphQLError('Text arguments must not contain NUL (\\u0000) characters', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return maskError(error, message, isDev);
}
