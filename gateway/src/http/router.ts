import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config.ts';
import type { TokenBucketLimiter } from '../domain/rate-limit.ts';
import { clientAddress } from './client-address.ts';
import { postIsJson, refuseNonJsonPost } from './csrf.ts';
import { dashboardAuthorized, refuseDashboard } from './dashboard-auth.ts';
import { GRAPHIQL_ASSET_PREFIX } from './graphiql-offline.ts';
import { refuseRateLimited, setDashboardSecurityHeaders, setGraphQLSecurityHeaders } from './headers.ts';
import { answerHealth } from './health.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface Routes {
  /** POST /log/ingest, once the per-address rate limit let it through. */
  ingest: Handler;
  /** GET /readyz. */
  readiness: (res: ServerResponse) => Promise<void>;
  /** /graphql (HTTP and SSE), once the dashboard token was checked. */
  graphql: Handler;
  graphqlPath: string;
  /** GraphiQL's own files (GET/HEAD under GRAPHIQL_ASSET_PREFIX), while GraphiQL is on. */
  graphiqlAssets?: Handler;
  /** The dashboard's static files (GET/HEAD). */
  web: (req: IncomingMessage, res: ServerResponse) => void;
  // Integrations (issue 18): each handler checks its own credentials.
  /** GET /metrics (METRICS_TOKEN or loopback only, see metrics.ts). */
  metrics?: Handler;
  /** POST /v1/logs (OTLP/HTTP), behind the same rate limit as /log/ingest. */
  otlpLogs?: Handler;
  /** POST /mcp (MCP Streamable HTTP), once the dashboard token was checked. */
  mcp?: Handler;
}

/**
 * Which part of the gateway answers a request, and the checks in front of each: the ingest rate
 * limit, the dashboard token (for /graphql and the dashboard), JSON-only POSTs to /graphql (no
 * cross-site form posts), the dashboard's security headers.
 */
export function createRouter(config: GatewayConfig, routes: Routes, ingestLimiter: TokenBucketLimiter | null) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/log/ingest' || (path === '/v1/logs' && routes.otlpLogs)) {
      const verdict = ingestLimiter?.take(clientAddress(req, config.trustProxyHops));
      if (verdict && !verdict.allowed) refuseRateLimited(res, verdict.retryAfterSeconds);
      else void (path === '/v1/logs' ? routes.otlpLogs! : routes.ingest)(req, res, url);
    } else if (path === '/mcp' && routes.mcp) {
      if (!dashboardAuthorized(req, config.dashboardToken)) refuseDashboard(res);
      else void routes.mcp(req, res, url);
    } else if (path === '/metrics' && routes.metrics) {
      void routes.metrics(req, res, url);
    } else if (path === '/healthz') {
      answerHealth(res);
    } else if (path === '/readyz') {
      void routes.readiness(res);
    } else if (routes.graphiqlAssets && path.startsWith(GRAPHIQL_ASSET_PREFIX)) {
      if (!dashboardAuthorized(req, config.dashboardToken)) refuseDashboard(res);
      else void routes.graphiqlAssets(req, res, url);
    } else if (path === routes.graphqlPath || path.startsWith(`${routes.graphqlPath}/`)) {
      // CORS preflights carry no credentials by design: Yoga answers them, nothing else passes.
      if (req.method !== 'OPTIONS' && !dashboardAuthorized(req, config.dashboardToken)) refuseDashboard(res);
      else if (!postIsJson(req)) refuseNonJsonPost(res);
      else {
        setGraphQLSecurityHeaders(res);
        // GraphiQL is a page like the dashboard's, under the same policy.
        if (req.method === 'GET') setDashboardSecurityHeaders(res);
        void routes.graphql(req, res, url);
      }
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      if (!dashboardAuthorized(req, config.dashboardToken)) {
        refuseDashboard(res);
        return;
      }
      setDashboardSecurityHeaders(res);
      routes.web(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    }
  };
}
