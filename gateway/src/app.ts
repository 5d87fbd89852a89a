import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createYoga } from 'graphql-yoga';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { openDatabase, type Database } from './storage/db.ts';
import { createIngestHandler } from './http/ingest-route.ts';
import { IngestAdmission } from './http/ingest-admission.ts';
import { createLivePubSub, type LivePubSub } from './live/pubsub.ts';
import { useSharedSubscriptionExecution } from './live/shared-execution.ts';
import { attachGraphQLWebSocket } from './http/websocket.ts';
import { createLogger, type Logger } from './logger.ts';
import { applyMigrations } from './storage/migrate.ts';
import { TokenBucketLimiter } from './domain/rate-limit.ts';
import { scheduleRetention } from './storage/retention.ts';
import { schema } from './graphql/schema.ts';
import {
  clientAddress,
  corsPolicy,
  dashboardAuthorized,
  disableIntrospection,
  graphqlProtection,
  maskGatewayError,
  refuseDashboard,
  refuseRateLimited,
  setDashboardSecurityHeaders,
  storageUnavailable,
} from './http/security.ts';
import { createWebHandler } from './http/static-web.ts';

export interface App {
  /** Opens storage, starts listening and begins applying migrations (retrying until it can). */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, closes connections and storage. Safe to call twice. */
  stop(): Promise<void>;
  /** The database once open (even before migrations finish). */
  readonly database: Database | null;
  /** True once the database answered and migrations are applied. */
  readonly ready: boolean;
  readonly pubsub: LivePubSub;
}

const MIGRATION_RETRY_MS = 1_000;
const LIVE_FAN_OUT_WAIT_MS = 5_000;

/** Builds the gateway: node:http serving /log/ingest, /graphql, /healthz, /readyz and the dashboard. */
export function buildApp(config: GatewayConfig, options: { logger?: Logger } = {}): App {
  const logger = options.logger ?? createLogger();
  const pubsub = createLivePubSub({
    logger,
    redis: config.redisUrl ? { url: config.redisUrl, channelPrefix: config.redisChannelPrefix } : undefined,
    logStream: config.liveStream,
  });
  let database: Database | null = null;
  let ready = false;
  let stopping = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopRetention: (() => void) | undefined;
  const sockets = new Set<Socket>();

  if (config.production && !config.dashboardToken) {
    logger.warn('DASHBOARD_TOKEN is not set: the dashboard and /graphql are open to anyone who can reach this gateway');
  }
  const ingestLimiter =
    config.ingestRateLimit.perSecond > 0 ? new TokenBucketLimiter(config.ingestRateLimit.perSecond, config.ingestRateLimit.burst) : null;
  const ingestAdmission = new IngestAdmission(config.ingestConcurrency.maxConcurrent, config.ingestConcurrency.maxQueued);

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL needs introspection, so it goes with it.
    graphiql: config.graphqlIntrospection ? { title: 'logpulse GraphiQL', subscriptionsProtocol: 'WS' } : false,
    // Storage outages (503, retryable) and statement timeouts are spelled out; the rest is masked.
    maskedErrors: { isDev: !config.production, maskError: maskGatewayError },
    plugins: [
      ...graphqlProtection({ ...config.graphqlLimits, blockFieldSuggestions: !config.graphqlIntrospection }),
      ...(config.graphqlIntrospection ? [] : [disableIntrospection()]),
      // One execution per batch and operation for all logStream subscribers, not one each.
      useSharedSubscriptionExecution(new Set(['logStream'])),
    ],
    logging: { debug: () => {}, info: () => {}, warn: (...a) => logger.warn(a.join(' ')), error: (...a) => logger.error(a.join(' ')) },
    cors: corsPolicy(config.corsOrigins),
    context: ({ req }): GatewayContext => ({
      config,
      logger,
      pubsub,
      clientKey: req ? clientAddress(req, config.trustProxyHops) : 'unknown',
      get db(): Database {
        if (!database || !ready) throw storageUnavailable();
        return database;
      },
    }),
  });

  const handleIngest = createIngestHandler({
    ingestTokens: config.ingestTokens,
    serviceTokens: config.serviceIngestTokens,
    maxBodyBytes: config.maxBodyBytes,
    maxDecodedBytes: config.maxDecodedBytes,
    maxRoutesPerService: config.maxRoutesPerService,
    zoneless: config.ingestTimeZone,
    logger,
    database: () => (ready ? database : null),
    onStored: (result) => pubsub.publish('logs:stored', result.stored),
  });
  const serveWeb = createWebHandler(config.webDist);

  /** Runs an ingest request once a slot is free (see IngestAdmission); 503 when too many wait. */
  async function admitIngest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const release = await ingestAdmission.enter();
    if (!release) {
      res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '1' });
      res.end(JSON.stringify({ error: 'ingest is busy; retry later' }));
      return;
    }
    // A client that left while queued, or leaves mid-batch, must not hold its slot.
    if (res.destroyed) {
      release();
      return;
    }
    res.once('close', release);
    try {
      await handleIngest(req, res, url);
    } finally {
      release();
    }
  }

  async function readiness(): Promise<{ ok: boolean; reason?: string }> {
    if (!database) return { ok: false, reason: 'database not open' };
    if (!ready) return { ok: false, reason: 'migrations not applied yet' };
    try {
      await database.pool.query('SELECT 1');
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `database unreachable: ${(error as Error).message}` };
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/log/ingest') {
      const verdict = ingestLimiter?.take(clientAddress(req, config.trustProxyHops));
      if (verdict && !verdict.allowed) refuseRateLimited(res, verdict.retryAfterSeconds);
      else void admitIngest(req, res, url);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
    } else if (path === '/readyz') {
      void readiness().then((r) => {
        res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(r.ok ? { status: 'ready', database: database?.mode } : { status: 'unavailable', reason: r.reason }));
      });
    } else if (path === yoga.graphqlEndpoint || path.startsWith(`${yoga.graphqlEndpoint}/`)) {
      // CORS preflights carry no credentials by design: Yoga answers them, nothing else passes.
      if (req.method !== 'OPTIONS' && !dashboardAuthorized(req, config.dashboardToken)) refuseDashboard(res);
      else void yoga.handle(req, res, { req, res });
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      if (!dashboardAuthorized(req, config.dashboardToken)) {
        refuseDashboard(res);
        return;
      }
      setDashboardSecurityHeaders(res);
      serveWeb(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    }
  });
  // Idle keep-alive connections outlive the clients' and load balancers' own idle timeouts
  // (Node's 5 s default is shorter than an ALB's 60 s): otherwise the server closes a socket
  // just as a client reuses it and that request fails with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // graphql-ws on the same path, through the same Yoga envelope (schema, context, plugins).
  const liveSocket = attachGraphQLWebSocket(
    server,
    yoga,
    { dashboardToken: config.dashboardToken, production: config.production, ...config.ws },
    logger,
  );
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client sending garbage must not take the process down.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  /** With Redis, start listening once fan-out is up; an outage only delays it, never blocks start. */
  async function waitForLiveFanOut(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), LIVE_FAN_OUT_WAIT_MS)));
    const late = await Promise.race([pubsub.ready().then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) logger.warn('live fan-out: Redis not reachable yet; starting anyway (live events stay on this replica until it is)');
  }

  async function migrateUntilReady(): Promise<void> {
    if (stopping || !database) return;
    try {
      const applied = await applyMigrations(database.pool);
      if (applied.length) logger.info({ applied }, 'migrations applied');
      ready = true;
      logger.info({ database: database.mode }, 'storage ready');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'storage not ready; retrying');
      retryTimer = setTimeout(() => void migrateUntilReady(), MIGRATION_RETRY_MS);
    }
  }

  return {
    get database() {
      return database;
    },
    get ready() {
      return ready;
    },
    pubsub,
    async start() {
      database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        statementTimeoutMs: config.statementTimeoutMs,
      });
      await migrateUntilReady();
      stopRetention = scheduleRetention(() => (ready ? (database?.pool ?? null) : null), config, logger);
      await waitForLiveFanOut();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return { url: `http://${host}:${port}`, port };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(retryTimer);
      stopRetention?.();
      await liveSocket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      const db = database;
      database = null;
      ready = false;
      await Promise.all([db?.close(), pubsub.close()]);
    },
  };
}
