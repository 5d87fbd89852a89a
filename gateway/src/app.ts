import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { createAiRuntime } from './ai/runtime.ts';
import { startAlerting, type Alerting } from './alerts/alerting.ts';
import { countEnabledRulesByState } from './storage/alerts.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { StorageUnavailableError } from './domain/errors.ts';
import { analysisGuard } from './graphql/analysis-guard.ts';
import { cachedFigure, rollupRowsPerHour } from './storage/scan-estimate.ts';
import { logYogaError, maskGatewayError } from './graphql/error-mapping.ts';
import { disableIntrospection, graphqlProtection } from './graphql/protection.ts';
import { schema } from './graphql/schema.ts';
import { clientAddress } from './http/client-address.ts';
import { corsPolicy } from './http/cors.ts';
import { renderOfflineGraphiQL, serveGraphiQLAsset } from './http/graphiql-offline.ts';
import { preventSubscriptionViaGet } from './http/csrf.ts';
import { readinessEndpoint } from './http/health.ts';
import { IngestAdmission } from './http/ingest-admission.ts';
import { CountedRateLimiter, createMetricsHandler, GatewayMetrics } from './http/metrics.ts';
import { createOtlpLogsHandler } from './http/otlp-route.ts';
import { createMcpHandler } from './http/mcp-route.ts';
import { createBatchStore, createIngestHandler, ingestCredential, type IngestOptions } from './http/ingest-route.ts';
import { DecodedBudget } from './ingest/decode.ts';
import { createRouter } from './http/router.ts';
import { createWebHandler } from './http/static-web.ts';
import { attachGraphQLWebSocket } from './http/websocket.ts';
import { AnomalyReportCache } from './insights/anomalies/report-cache.ts';
import { createLivePubSub, type LivePubSub } from './live/pubsub.ts';
import { useSharedSubscriptionExecution } from './live/shared-execution.ts';
import { createLogger, type Logger } from './logger.ts';
import { openDatabase, type Database } from './storage/db.ts';
import { applyMigrations } from './storage/migrate.ts';
import { isCitus } from './storage/citus.ts';
import { checkReadiness } from './storage/readiness.ts';
import { scheduleRetention } from './storage/retention.ts';

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
  /** Alert evaluation and delivery on this replica (null when ALERTS_ENABLED=false or not started). */
  readonly alerting: Alerting | null;
}

const MIGRATION_RETRY_MS = 1_000;
const LIVE_FAN_OUT_WAIT_MS = 5_000;
/** Distinct GraphQL operation names in the metrics (the dashboard uses a few dozen). */
const METRICS_MAX_OPERATIONS = 200;

/**
 * The composition root: builds every service of one gateway once (storage, clock, live pubsub,
 * AI runtime, caches), hands them to GraphQL through the context and to HTTP through the router,
 * and serves /log/ingest, /graphql, /healthz, /readyz and the dashboard on node:http.
 */
export function buildApp(config: GatewayConfig, options: { logger?: Logger; clock?: Clock } = {}): App {
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const ai = createAiRuntime(config);
  const anomalyCache = new AnomalyReportCache(10_000, 100, () => clock.now());
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
  let alerting: Alerting | undefined;
  const sockets = new Set<Socket>();

  if (config.production && !config.dashboardToken) {
    logger.warn(
      'DASHBOARD_TOKEN is not set (ALLOW_ANONYMOUS_DASHBOARD=true): the dashboard and /graphql are open to anyone who can reach this gateway',
    );
  }
  const ingestAdmission = new IngestAdmission(config.ingestConcurrency.maxConcurrent, config.ingestConcurrency.maxQueued);
  const metrics = new GatewayMetrics(
    {
      database: () => database,
      ingestQueue: () => ({ inFlight: ingestAdmission.inFlight, queued: ingestAdmission.queued }),
      live: () => pubsub.stats(),
      alertRuleStates: async () => (ready && database && alerting ? countEnabledRulesByState(database.pool) : null),
      alertsLeading: () => alerting?.leading ?? false,
    },
    { maxServices: config.metricsMaxServices, maxOperations: METRICS_MAX_OPERATIONS },
  );
  const ingestLimiter =
    config.ingestRateLimit.perSecond > 0
      ? new CountedRateLimiter(config.ingestRateLimit.perSecond, config.ingestRateLimit.burst, () => metrics.recordRefusal('rate_limited'))
      : null;

  // Rows per hour of range change as slowly as the set of endpoints: read at most every 30 s.
  const scannedRowsPerHour = cachedFigure(
    async () => {
      if (!database || !ready) throw new StorageUnavailableError();
      return rollupRowsPerHour(database.pool, clock.now());
    },
    30_000,
    () => clock.now(),
  );

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse; operationSignal?: AbortSignal }, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL needs introspection, so it goes with it.
    graphiql: config.graphqlIntrospection ? { title: 'logpulse GraphiQL', subscriptionsProtocol: 'WS' } : false,
    // From our own origin, not a CDN: works offline and under the dashboard's CSP.
    renderGraphiQL: renderOfflineGraphiQL,
    // Storage outages (503, retryable) and statement timeouts are spelled out; the rest is masked.
    maskedErrors: { isDev: !config.production, maskError: maskGatewayError },
    plugins: [
      ...graphqlProtection({ ...config.graphqlLimits, blockFieldSuggestions: !config.graphqlIntrospection }),
      ...(config.graphqlIntrospection ? [] : [disableIntrospection()]),
      preventSubscriptionViaGet(),
      analysisGuard(config.analysisLimits, scannedRowsPerHour),
      // One execution per batch and operation for all logStream subscribers, not one each.
      useSharedSubscriptionExecution(new Set(['logStream'])),
      metrics.graphqlPlugin(),
    ],
    logging: { debug: () => {}, info: () => {}, warn: (...a) => logger.warn(a.join(' ')), error: (...a) => logYogaError(logger, a) },
    cors: corsPolicy(config.corsOrigins),
    context: ({ req, operationSignal }): GatewayContext => ({
      operationSignal,
      config,
      logger,
      clock,
      pubsub,
      ai,
      anomalyCache,
      readiness,
      clientKey: req ? clientAddress(req, config.trustProxyHops) : 'unknown',
      get db(): Database {
        if (!database || !ready) throw new StorageUnavailableError();
        return database;
      },
    }),
  });

  const ingestOptions: IngestOptions = {
    ingestTokens: config.ingestTokens,
    serviceTokens: config.serviceIngestTokens,
    allowWithoutToken: config.ingestAuthDisabled,
    maxBodyBytes: config.maxBodyBytes,
    maxDecodedBytes: config.maxDecodedBytes,
    maxRoutesPerService: config.maxRoutesPerService,
    maxServices: config.maxServices,
    retentionDays: config.retentionDays,
    zoneless: config.ingestTimeZone,
    decodedBudget: new DecodedBudget(config.ingestConcurrency.maxDecodedInFlight),
    logger,
    database: () => (ready ? database : null),
    onStored: (result) => pubsub.publish('logs:stored', result.stored),
    onAnswered: (outcome) => metrics.recordIngest(outcome),
  };
  // OTLP/HTTP logs: the same options and batch store (route cap cache), so the same tokens,
  // limits and storage rules as /log/ingest.
  const batchStore = createBatchStore(ingestOptions);
  const handleIngest = createIngestHandler(ingestOptions, batchStore);
  const handleOtlpLogs = createOtlpLogsHandler(ingestOptions, batchStore);
  const serveWeb = createWebHandler(config.webDist);
  // MCP tools run their GraphQL in-process, through the same Yoga envelope as /graphql.
  const handleMcp = createMcpHandler(
    (req, res) => async (query, variables) => {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      };
      return (await yoga.fetch('http://gateway/graphql', init, { req, res })).json();
    },
    logger,
  );
  const handleMetrics = createMetricsHandler(metrics, { token: config.metricsToken, trustProxyHops: config.trustProxyHops });

  /** Runs an ingest request once a slot is free (see IngestAdmission); 503 when too many wait. */
  async function admitIngest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> = handleIngest,
  ): Promise<void> {
    // The token first: a request without a valid one is answered 401 at once by its handler and
    // never takes or waits for a slot, so unauthenticated clients cannot fill INGEST_MAX_QUEUED.
    if (!ingestCredential(req, ingestOptions)) {
      await handle(req, res, url);
      return;
    }
    const release = await ingestAdmission.enter();
    if (!release) {
      metrics.recordRefusal('busy');
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
      await handle(req, res, url);
    } finally {
      release();
    }
  }

  const readiness = () => checkReadiness(database, ready);

  const server = createServer(
    createRouter(
      config,
      {
        ingest: admitIngest,
        readiness: readinessEndpoint(readiness, logger),
        graphql: (req, res) => yoga.handle(req, res, { req, res }),
        graphqlPath: yoga.graphqlEndpoint,
        graphiqlAssets: config.graphqlIntrospection ? (req, res, url) => serveGraphiQLAsset(url.pathname, req.method, res) : undefined,
        web: serveWeb,
        metrics: handleMetrics,
        otlpLogs: (req, res, url) => admitIngest(req, res, url, handleOtlpLogs),
        mcp: handleMcp,
      },
      ingestLimiter,
    ),
  );
  // Idle keep-alive connections outlive the clients' and load balancers' own idle timeouts
  // (Node's 5 s default is shorter than an ALB's 60 s): otherwise the server closes a socket
  // just as a client reuses it and that request fails with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // graphql-ws on the same path, through the same Yoga envelope (schema, context, plugins).
  const liveSocket = attachGraphQLWebSocket(
    server,
    yoga,
    { dashboardToken: config.dashboardToken, production: config.production, corsOrigins: config.corsOrigins, ...config.ws },
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
      database.citus = await isCitus(database.pool);
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
    get alerting() {
      return alerting ?? null;
    },
    async start() {
      database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        statementTimeoutMs: config.statementTimeoutMs,
        ingestPoolSize: config.ingestConcurrency.maxConcurrent,
      });
      await migrateUntilReady();
      stopRetention = scheduleRetention(() => (ready ? (database?.pool ?? null) : null), config, logger);
      await waitForLiveFanOut();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      if (config.alerts.enabled) {
        alerting = startAlerting({
          pool: () => (ready ? (database?.pool ?? null) : null),
          settings: config.alerts,
          defaultPublicUrl: () => `http://localhost:${port}`,
          logger,
          publish: (event) => pubsub.publish('alerts:event', event),
          observer: metrics.alertingObserver(),
        });
      }
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return { url: `http://${host}:${port}`, port };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(retryTimer);
      stopRetention?.();
      await alerting?.stop();
      await liveSocket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      const db = database;
      database = null;
      ready = false;
      metrics.close();
      await Promise.all([db?.close(), pubsub.close()]);
    },
  };
}
