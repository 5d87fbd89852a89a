import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_RAW_SAMPLE_ROWS } from './storage/raw-sample-plan.ts';
import { parseServiceTokens, type ServiceToken } from './http/credentials.ts';

/** Everything the gateway reads from its environment, validated once at start. */
export interface GatewayConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; undefined means embedded PGlite under `${dataDir}/pglite`. */
  databaseUrl: string | undefined;
  dataDir: string;
  production: boolean;
  /** Bearer tokens accepted on /log/ingest (several allowed so they can be rotated). */
  ingestTokens: string[];
  /** True when the ingest token was generated for this dev run (printed once at start). */
  ingestTokenGenerated: boolean;
  /**
   * INGEST_AUTH=none: /log/ingest takes requests without a token (a shipper config that sends
   * none). Development only, and only while the gateway listens on loopback.
   */
  ingestAuthDisabled: boolean;
  /** Tokens bound to one service each (INGEST_TOKENS=svc:token,...); revoked by removing them. */
  serviceIngestTokens: ServiceToken[];
  dashboardToken: string | undefined;
  /** Bearer token for GET /metrics; unset: only loopback peers may scrape (see http/metrics.ts). */
  metricsToken: string | undefined;
  /** Distinct `service` label values in the Prometheus metrics; later services count as `_other`. */
  metricsMaxServices: number;
  /** Per client address on /log/ingest (429 + Retry-After past it); perSecond 0 turns it off. */
  ingestRateLimit: { perSecond: number; burst: number };
  /** Ingest batches processed at once (memory bound) and requests allowed to wait for a turn (then 503). */
  ingestConcurrency: { maxConcurrent: number; maxQueued: number; maxDecodedInFlight: number };
  /** Reverse proxies in front of the gateway whose X-Forwarded-For is trusted (0: use the peer address). */
  trustProxyHops: number;
  /** `__schema`/`__type` queries and GraphiQL; off by default in production. */
  graphqlIntrospection: boolean;
  /** Per-operation limits on /graphql (HTTP and WebSocket). */
  graphqlLimits: { maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number };
  /** Range × fields an operation may analyse, and analyses one client may run at once (analysis-guard.ts). */
  analysisLimits: { maxRangeHours: number; maxScannedRows: number; maxConcurrentPerClient: number };
  /** Time zone for zone-less timestamps in ingested records. */
  ingestTimeZone: 'UTC' | 'local';
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxRoutesPerService: number;
  /** Distinct services stored at most; records naming a further one are dead-lettered. */
  maxServices: number;
  redisUrl: string | undefined;
  /** Prefix of the Redis pub/sub channels, so deployments (or test runs) can share one Redis. */
  redisChannelPrefix: string;
  /** Live WebSocket limits and keep-alive (graphql-ws on /graphql). */
  ws: {
    maxConnections: number;
    maxUninitialised: number;
    initTimeoutMs: number;
    maxSubscriptionsPerConnection: number;
    keepAliveMs: number;
  };
  /** logStream bounds: records one subscriber may fall behind, and records held for all subscribers. */
  liveStream: { capacity: number; totalCapacity: number; maxSubscribers: number; maxFilters: number };
  retentionDays: number;
  rollupRetentionDays: number;
  timeZone: string;
  corsOrigins: string[];
  openai: { apiKey: string | undefined; baseUrl: string | undefined; model: string };
  /** Limits on the AI features (gateway/src/ai): cost, abuse and prompt size. */
  ai: AiLimits;
  /** Where the built dashboard lives (served at /). */
  webDist: string;
  statementTimeoutMs: number;
  /** Most raw log records a top list (user agents, client IPs) is counted over; a spread sample past it. */
  rawSampleRows: number;
  /** Alert evaluation and notification (gateway/src/alerts, README "Alerts"). */
  alerts: AlertsSettings;
}

export interface AlertsSettings {
  /** Off: this replica neither evaluates rules nor sends notifications (GraphQL still manages them). */
  enabled: boolean;
  /** How often the evaluator wakes to evaluate due rules and send due notifications. */
  tickMs: number;
  /** The leader lease; a killed leader is replaced once it lapses. */
  leaseMs: number;
  /** Delivery retries: first delay, doubling up to the maximum, given up after maxAttempts. */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** Per webhook request or SMTP step. */
  sendTimeoutMs: number;
  /** Base of the links in notifications (the dashboard's address as users reach it). */
  publicUrl: string | undefined;
  smtp: { host: string | undefined; port: number; user: string | undefined; password: string | undefined; secure: boolean; from: string };
}

export interface AiLimits {
  /** Per request to the model provider; the SDK retries once on 429/5xx/timeouts. */
  timeoutMs: number;
  /** AI mutations (analyzeRecentLogs, chat) per client per minute. */
  ratePerMinute: number;
  /** Model tokens (prompt + completion) all clients may spend per rolling hour; past it, the offline analyst answers. */
  tokensPerHour: number;
  maxMessageChars: number;
  maxToolCalls: number;
  /** Earlier chat turns sent to the model as context. */
  historyTurns: number;
  /** How far back chat tools may look, in minutes (also the default window of a chat answer). */
  chatLookbackMinutes: number;
  /** Longest window analyzeRecentLogs accepts, in minutes. */
  maxAnalyzeWindowMinutes: number;
}

const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  NODE_ENV: z.string().default('development'),
  INGEST_TOKEN: csv,
  INGEST_TOKENS: csv,
  INGEST_AUTH: z.enum(['token', 'none']).default('token'),
  DASHBOARD_TOKEN: z.string().min(1).optional(),
  METRICS_TOKEN: z.string().min(1).optional(),
  METRICS_MAX_SERVICES: z.coerce.number().int().positive().max(10_000).default(200),
  ALLOW_ANONYMOUS_DASHBOARD: z.enum(['true', 'false']).default('false'),
  INGEST_RATE_LIMIT_PER_SECOND: z.coerce.number().nonnegative().default(500),
  INGEST_RATE_LIMIT_BURST: z.coerce.number().int().positive().optional(),
  INGEST_MAX_CONCURRENT: z.coerce.number().int().positive().default(4),
  INGEST_MAX_QUEUED: z.coerce.number().int().nonnegative().default(1_000),
  INGEST_MAX_DECODED_IN_FLIGHT: z.coerce
    .number()
    .int()
    .positive()
    .default(128 * 1024 * 1024),
  TRUST_PROXY_HOPS: z.coerce.number().int().nonnegative().max(10).default(0),
  GRAPHQL_INTROSPECTION: z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().nonnegative().default(20),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(50_000),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(2_000),
  GRAPHQL_MAX_RANGE_HOURS: z.coerce.number().int().positive().default(10_000),
  GRAPHQL_MAX_SCANNED_ROWS: z.coerce.number().int().positive().default(20_000_000),
  ANALYTICS_MAX_CONCURRENT_PER_CLIENT: z.coerce.number().int().positive().default(8),
  INGEST_TIMEZONE: z.enum(['UTC', 'local']).default('UTC'),
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  INGEST_MAX_DECODED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(128 * 1024 * 1024),
  MAX_ROUTES_PER_SERVICE: z.coerce.number().int().positive().default(500),
  MAX_SERVICES: z.coerce.number().int().positive().default(1_000),
  REDIS_URL: z.string().optional(),
  REDIS_CHANNEL_PREFIX: z.string().default('logpulse:'),
  WS_MAX_CONNECTIONS: z.coerce.number().int().positive().default(1_000),
  WS_MAX_UNINITIALISED: z.coerce.number().int().positive().default(1_000),
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(20),
  WS_KEEPALIVE_MS: z.coerce.number().int().positive().default(12_000),
  LIVE_STREAM_CAPACITY: z.coerce.number().int().positive().default(20_000),
  LIVE_STREAM_TOTAL_CAPACITY: z.coerce.number().int().positive().default(100_000),
  LIVE_MAX_SUBSCRIPTIONS: z.coerce.number().int().positive().default(10_000),
  LIVE_MAX_FILTERS: z.coerce.number().int().positive().default(1_000),
  RETENTION_DAYS: z.coerce.number().positive().default(30),
  ROLLUP_RETENTION_DAYS: z.coerce.number().positive().default(400),
  TZ: z.string().default('UTC'),
  CORS_ORIGINS: csv,
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  AI_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  AI_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  AI_MAX_TOKENS_PER_HOUR: z.coerce.number().int().nonnegative().default(200_000),
  AI_MAX_MESSAGE_CHARS: z.coerce.number().int().positive().default(2_000),
  AI_MAX_TOOL_CALLS: z.coerce.number().int().min(1).max(20).default(6),
  AI_HISTORY_TURNS: z.coerce.number().int().nonnegative().max(50).default(6),
  AI_CHAT_LOOKBACK_MINUTES: z.coerce.number().int().positive().default(30),
  AI_MAX_ANALYZE_WINDOW_MINUTES: z.coerce.number().int().positive().default(60),
  WEB_DIST: z.string().default('web/dist'),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  ANALYTICS_RAW_SAMPLE_ROWS: z.coerce.number().int().min(100).max(100_000_000).default(DEFAULT_RAW_SAMPLE_ROWS),
  ALERTS_ENABLED: z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).default('true'),
  ALERTS_TICK_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  ALERTS_LEASE_MS: z.coerce.number().int().min(200).max(3_600_000).default(30_000),
  ALERTS_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  ALERTS_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(600_000),
  ALERTS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  ALERTS_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  PUBLIC_URL: z.string().url().optional(),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_SECURE: z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).default('false'),
  SMTP_FROM: z.string().default('logpulse <alerts@localhost>'),
});

const truthy = (v: string) => ['true', '1', 'yes', 'on'].includes(v);

const DEV_TOKEN_NOTE = 'dev-';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
/** Values people paste from examples; a token containing one is not a secret. */
const PLACEHOLDER = /change-?me|example|placeholder|your[-_]?token|^(secret|password|token|default|test)$/i;

/** Why a token is not acceptable in production, or null when it is. */
function weakTokenReason(token: string): string | null {
  if (token.length < 16) return 'is shorter than 16 characters';
  if (token.startsWith(DEV_TOKEN_NOTE)) return 'is a generated dev token';
  if (PLACEHOLDER.test(token)) return 'looks like a placeholder';
  if (new Set(token).size < 6) return 'has too few distinct characters';
  return null;
}

/**
 * Reads the gateway configuration from an environment map. Throws with a readable message
 * (never echoing secret values) when something is invalid or unsafe for production.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  let ingestTokens = e.INGEST_TOKEN;
  const serviceIngestTokens = parseServiceTokens(e.INGEST_TOKENS);
  let ingestTokenGenerated = false;
  const ingestAuthDisabled = e.INGEST_AUTH === 'none';
  if (ingestAuthDisabled) {
    if (production) throw new Error('INGEST_AUTH=none is for development only: production needs INGEST_TOKEN (or INGEST_TOKENS)');
    if (!LOOPBACK_HOSTS.has(e.HOST))
      throw new Error(
        `INGEST_AUTH=none needs HOST=127.0.0.1 (or ::1, localhost): the gateway would listen on ${e.HOST}, where anyone who reaches it could write logs`,
      );
  } else if (ingestTokens.length === 0 && serviceIngestTokens.length === 0) {
    if (production) throw new Error('INGEST_TOKEN (or INGEST_TOKENS) is required in production (NODE_ENV=production)');
    ingestTokens = [DEV_TOKEN_NOTE + randomBytes(12).toString('hex')];
    ingestTokenGenerated = true;
  }
  if (production) {
    // Named by variable and position only: the message must not echo a secret.
    const checks: [string, string[]][] = [
      ['INGEST_TOKEN', ingestTokens],
      ['INGEST_TOKENS', serviceIngestTokens.map((t) => t.token)],
      ['DASHBOARD_TOKEN', e.DASHBOARD_TOKEN ? [e.DASHBOARD_TOKEN] : []],
      ['METRICS_TOKEN', e.METRICS_TOKEN ? [e.METRICS_TOKEN] : []],
    ];
    for (const [name, tokens] of checks) {
      tokens.forEach((token, i) => {
        const reason = weakTokenReason(token);
        if (reason)
          throw new Error(
            `${name}${tokens.length > 1 ? ` entry ${i + 1}` : ''} ${reason}; production needs a random secret (e.g. openssl rand -hex 24)`,
          );
      });
    }
  }
  if (production && !e.DASHBOARD_TOKEN && e.ALLOW_ANONYMOUS_DASHBOARD !== 'true') {
    throw new Error(
      'DASHBOARD_TOKEN is required in production (NODE_ENV=production): without it anyone who can reach the gateway reads every log. ' +
        'Set ALLOW_ANONYMOUS_DASHBOARD=true only if a proxy in front of the gateway authenticates users.',
    );
  }
  const introspection = e.GRAPHQL_INTROSPECTION === undefined ? !production : ['true', '1', 'yes', 'on'].includes(e.GRAPHQL_INTROSPECTION);
  const ratePerSecond = e.INGEST_RATE_LIMIT_PER_SECOND;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    production,
    ingestTokens,
    ingestTokenGenerated,
    ingestAuthDisabled,
    serviceIngestTokens,
    dashboardToken: e.DASHBOARD_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    metricsMaxServices: e.METRICS_MAX_SERVICES,
    ingestRateLimit: { perSecond: ratePerSecond, burst: e.INGEST_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(ratePerSecond * 2)) },
    ingestConcurrency: {
      maxConcurrent: e.INGEST_MAX_CONCURRENT,
      maxQueued: e.INGEST_MAX_QUEUED,
      maxDecodedInFlight: e.INGEST_MAX_DECODED_IN_FLIGHT,
    },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    graphqlIntrospection: introspection,
    graphqlLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxCost: e.GRAPHQL_MAX_COST,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
    },
    // Never below the longest range one field accepts: a single analysis the range check allows always runs.
    analysisLimits: {
      maxRangeHours: Math.max(e.GRAPHQL_MAX_RANGE_HOURS, 24 * Math.max(e.RETENTION_DAYS, e.ROLLUP_RETENTION_DAYS)),
      maxScannedRows: e.GRAPHQL_MAX_SCANNED_ROWS,
      maxConcurrentPerClient: e.ANALYTICS_MAX_CONCURRENT_PER_CLIENT,
    },
    ingestTimeZone: e.INGEST_TIMEZONE,
    maxBodyBytes: e.INGEST_MAX_BODY_BYTES,
    maxDecodedBytes: e.INGEST_MAX_DECODED_BYTES,
    maxRoutesPerService: e.MAX_ROUTES_PER_SERVICE,
    maxServices: e.MAX_SERVICES,
    redisUrl: e.REDIS_URL,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    ws: {
      maxConnections: e.WS_MAX_CONNECTIONS,
      maxUninitialised: e.WS_MAX_UNINITIALISED,
      initTimeoutMs: e.WS_INIT_TIMEOUT_MS,
      maxSubscriptionsPerConnection: e.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      keepAliveMs: e.WS_KEEPALIVE_MS,
    },
    liveStream: {
      capacity: e.LIVE_STREAM_CAPACITY,
      totalCapacity: e.LIVE_STREAM_TOTAL_CAPACITY,
      maxSubscribers: e.LIVE_MAX_SUBSCRIPTIONS,
      maxFilters: e.LIVE_MAX_FILTERS,
    },
    retentionDays: e.RETENTION_DAYS,
    rollupRetentionDays: e.ROLLUP_RETENTION_DAYS,
    timeZone: e.TZ,
    corsOrigins: e.CORS_ORIGINS,
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL },
    ai: {
      timeoutMs: e.AI_TIMEOUT_MS,
      ratePerMinute: e.AI_RATE_LIMIT_PER_MINUTE,
      tokensPerHour: e.AI_MAX_TOKENS_PER_HOUR,
      maxMessageChars: e.AI_MAX_MESSAGE_CHARS,
      maxToolCalls: e.AI_MAX_TOOL_CALLS,
      historyTurns: e.AI_HISTORY_TURNS,
      chatLookbackMinutes: e.AI_CHAT_LOOKBACK_MINUTES,
      maxAnalyzeWindowMinutes: e.AI_MAX_ANALYZE_WINDOW_MINUTES,
    },
    webDist: e.WEB_DIST,
    statementTimeoutMs: e.STATEMENT_TIMEOUT_MS,
    rawSampleRows: e.ANALYTICS_RAW_SAMPLE_ROWS,
    alerts: {
      enabled: truthy(e.ALERTS_ENABLED),
      tickMs: e.ALERTS_TICK_MS,
      leaseMs: Math.max(e.ALERTS_LEASE_MS, e.ALERTS_TICK_MS * 2),
      retryBaseMs: e.ALERTS_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.ALERTS_RETRY_MAX_MS, e.ALERTS_RETRY_BASE_MS),
      maxAttempts: e.ALERTS_MAX_ATTEMPTS,
      sendTimeoutMs: e.ALERTS_SEND_TIMEOUT_MS,
      publicUrl: e.PUBLIC_URL,
      smtp: {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT,
        user: e.SMTP_USER,
        password: e.SMTP_PASSWORD,
        secure: truthy(e.SMTP_SECURE),
        from: e.SMTP_FROM,
      },
    },
    ...overrides,
  };
}
