import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AI_USAGE_CHANNEL, type AiUsageMessage } from '../domain/ai-usage.ts';
import type { AlertChannelKind, AlertingObserver, AlertStateName, DeliveryOutcome } from '../domain/alert.ts';
import { TokenBucketLimiter, type RateVerdict } from '../domain/rate-limit.ts';
import type { LiveStats } from '../live/pubsub.ts';
import type { Database } from '../storage/db.ts';
import { bearerToken, tokenMatches } from './auth.ts';

/** Which ingest endpoint a request came through. */
export type IngestProtocol = 'fluentbit' | 'otlp';

/** What one ingest request did, reported by the ingest handlers once they have answered. */
export interface IngestOutcome {
  protocol: IngestProtocol;
  /** The batch's service (route parameter or token binding); null before it is known (401, 405). */
  service: string | null;
  status: number;
  seconds: number;
  /** Records stored, per the service each record names. */
  acceptedByService: Readonly<Record<string, number>>;
  rejected: number;
  duplicate: boolean;
}

/** The live gauges are read from these when Prometheus scrapes, not pushed on every change. */
export interface MetricsSources {
  database: () => Database | null;
  ingestQueue: () => { inFlight: number; queued: number };
  live: () => LiveStats;
  /** Enabled alert rules per state, from the database (null: storage not ready or alerting off). */
  alertRuleStates: () => Promise<Record<AlertStateName, number> | null>;
  /** Whether this replica holds the alert evaluator lease. */
  alertsLeading: () => boolean;
}

export interface MetricsOptions {
  /** Distinct `service` label values kept; later services are counted under OVERFLOW_LABEL. */
  maxServices: number;
  /** Distinct GraphQL operation names kept; later names are counted under OVERFLOW_LABEL. */
  maxOperations: number;
}

/** The label value that absorbs values past a label's cap (service, operation). */
const OVERFLOW_LABEL = '_other';

/**
 * Admits the first `max` distinct values of a label and maps every later one to OVERFLOW_LABEL.
 * Service names and operation names come from clients, so without a cap a client could create
 * one time series per request and exhaust Prometheus' memory (and this process').
 */
class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OVERFLOW_LABEL;
    this.seen.add(value);
    return value;
  }
}

/** Seconds: ingest batches take milliseconds to seconds, GraphQL analyses up to the statement timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The gateway's own Prometheus metrics: one registry per gateway (tests run several in one
 * process), built once in app.ts. Counters are incremented by the ingest handlers and the
 * GraphQL plugin; gauges (queue, pool, live) are read from their owners at scrape time.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly services: BoundedLabel;
  private readonly operations: BoundedLabel;
  private readonly ingestRequests: Counter<'protocol' | 'service' | 'status'>;
  private readonly ingestRecords: Counter<'protocol' | 'service' | 'outcome'>;
  private readonly ingestDuplicates: Counter<'protocol' | 'service'>;
  private readonly ingestSeconds: Histogram<'protocol' | 'status'>;
  private readonly ingestRefused: Counter<'reason'>;
  private readonly graphqlOperations: Counter<'operation' | 'type' | 'outcome'>;
  private readonly graphqlSeconds: Histogram<'operation' | 'type'>;
  private readonly aiCalls: Counter<'feature' | 'model'>;
  private readonly aiTokens: Counter<'feature' | 'model' | 'kind'>;
  private readonly alertEvaluations: Counter<'outcome'>;
  private readonly alertEvaluationSeconds: Histogram;
  private readonly alertDeliveries: Counter<'channel_kind' | 'status'>;
  private readonly onAiUsage = (message: unknown) => {
    const m = message as AiUsageMessage;
    this.aiCalls.inc({ feature: m.feature, model: m.model });
    this.aiTokens.inc({ feature: m.feature, model: m.model, kind: 'prompt' }, m.promptTokens);
    this.aiTokens.inc({ feature: m.feature, model: m.model, kind: 'completion' }, m.completionTokens);
  };

  constructor(sources: MetricsSources, options: MetricsOptions) {
    const registers = [this.registry];
    this.services = new BoundedLabel(options.maxServices);
    this.operations = new BoundedLabel(options.maxOperations);
    this.ingestRequests = new Counter({
      name: 'logpulse_ingest_requests_total',
      help: 'Ingest requests answered, by protocol (fluentbit: /log/ingest, otlp: /v1/logs), service and HTTP status.',
      labelNames: ['protocol', 'service', 'status'],
      registers,
    });
    this.ingestRecords = new Counter({
      name: 'logpulse_ingest_records_total',
      help: 'Records received, by protocol, service and outcome (accepted: stored; rejected: dead-lettered).',
      labelNames: ['protocol', 'service', 'outcome'],
      registers,
    });
    this.ingestDuplicates = new Counter({
      name: 'logpulse_ingest_duplicate_batches_total',
      help: 'Batches recognised by their digest as already stored (shipper retries after a lost response).',
      labelNames: ['protocol', 'service'],
      registers,
    });
    this.ingestSeconds = new Histogram({
      name: 'logpulse_ingest_batch_duration_seconds',
      help: 'Time to read, validate and store one ingest batch (queueing for a slot excluded), by protocol and HTTP status.',
      labelNames: ['protocol', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ingestRefused = new Counter({
      name: 'logpulse_ingest_refused_total',
      help: 'Ingest requests turned away before their body was read: reason="rate_limited" (429, per-address limit) or "busy" (503, admission queue full). Shippers retry both.',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'logpulse_ingest_queue',
      help: 'Ingest batches being processed (state="in_flight") and waiting for a slot (state="queued"); past INGEST_MAX_QUEUED, 503.',
      labelNames: ['state'],
      registers,
      collect() {
        const queue = sources.ingestQueue();
        this.set({ state: 'in_flight' }, queue.inFlight);
        this.set({ state: 'queued' }, queue.queued);
      },
    });
    new Gauge({
      name: 'logpulse_db_pool_connections',
      help: 'PostgreSQL client pool: open connections (state="total"), idle ones and queries waiting for a connection (state="waiting").',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = sources.database()?.pool;
        this.set({ state: 'total' }, pool?.totalCount ?? 0);
        this.set({ state: 'idle' }, pool?.idleCount ?? 0);
        this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
      },
    });
    this.graphqlOperations = new Counter({
      name: 'logpulse_graphql_operations_total',
      help: 'GraphQL operations, by operation name, type and outcome (ok; error: the result carried errors; invalid: refused by validation or the depth/cost limits).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.graphqlSeconds = new Histogram({
      name: 'logpulse_graphql_operation_duration_seconds',
      help: 'Execution time of GraphQL queries and mutations (subscriptions: until the first result), by operation name and type.',
      labelNames: ['operation', 'type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'logpulse_live_subscribers',
      help: 'logStream subscribers on this replica (kind="subscribers") and the distinct filters they share (kind="groups").',
      labelNames: ['kind'],
      registers,
      collect() {
        const stats = sources.live();
        this.set({ kind: 'subscribers' }, stats.logStreamSubscribers);
        this.set({ kind: 'groups' }, stats.logStreamGroups);
      },
    });
    new Gauge({
      name: 'logpulse_live_queued_records',
      help: 'Records waiting for the slowest logStream subscriber of each filter group right now.',
      registers,
      collect() {
        this.set(sources.live().queuedRecords);
      },
    });
    let droppedSeen = 0;
    new Counter({
      name: 'logpulse_live_dropped_records_total',
      help: 'Records dropped for logStream subscribers that fell too far behind (they are told how many).',
      registers,
      collect() {
        const dropped = sources.live().droppedRecords;
        if (dropped > droppedSeen) this.inc(dropped - droppedSeen);
        droppedSeen = Math.max(droppedSeen, dropped);
      },
    });
    this.aiCalls = new Counter({
      name: 'logpulse_ai_model_answers_total',
      help: 'AI analyses and chat turns answered by the model provider (the offline analyst is not counted), by feature and model.',
      labelNames: ['feature', 'model'],
      registers,
    });
    this.aiTokens = new Counter({
      name: 'logpulse_ai_tokens_total',
      help: 'Model tokens spent, by feature, model and kind (prompt or completion).',
      labelNames: ['feature', 'model', 'kind'],
      registers,
    });
    new Gauge({
      name: 'logpulse_alert_rules',
      help: 'Enabled alert rules by state (firing, pending, inactive, resolved), read from the database at scrape time: every replica reports the same figures, so aggregate with max, not sum.',
      labelNames: ['state'],
      registers,
      async collect() {
        const states = await sources.alertRuleStates().catch(() => null);
        if (!states) return;
        for (const [state, n] of Object.entries(states)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'logpulse_alert_evaluator_leader',
      help: '1 on the replica that holds the alert evaluator lease (evaluates the rules), 0 on the others.',
      registers,
      collect() {
        this.set(sources.alertsLeading() ? 1 : 0);
      },
    });
    this.alertEvaluations = new Counter({
      name: 'logpulse_alert_evaluations_total',
      help: "Alert rule evaluations on this replica (only the lease holder evaluates), by outcome (ok, or error: the rule's lastError says why).",
      labelNames: ['outcome'],
      registers,
    });
    this.alertEvaluationSeconds = new Histogram({
      name: 'logpulse_alert_evaluation_duration_seconds',
      help: 'Time to evaluate one alert rule: read its window from the rollups (or the ingest bookkeeping) and record the outcome.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.alertDeliveries = new Counter({
      name: 'logpulse_alert_deliveries_total',
      help: 'Alert notification delivery attempts from this replica, by channel kind (webhook, slack, email; unknown: channel deleted) and status (sent; retrying: failed, retry scheduled; failed: gave up).',
      labelNames: ['channel_kind', 'status'],
      registers,
    });
    subscribe(AI_USAGE_CHANNEL, this.onAiUsage);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one answered ingest request. */
  recordIngest(o: IngestOutcome): void {
    const service = o.service === null ? 'none' : this.services.of(o.service);
    const status = String(o.status);
    this.ingestRequests.inc({ protocol: o.protocol, service, status });
    this.ingestSeconds.observe({ protocol: o.protocol, status }, o.seconds);
    for (const [name, count] of Object.entries(o.acceptedByService)) {
      this.ingestRecords.inc({ protocol: o.protocol, service: this.services.of(name), outcome: 'accepted' }, count);
    }
    if (o.rejected > 0) this.ingestRecords.inc({ protocol: o.protocol, service, outcome: 'rejected' }, o.rejected);
    if (o.duplicate) this.ingestDuplicates.inc({ protocol: o.protocol, service });
  }

  /** The alerting observer (app.ts hands it to startAlerting): evaluations and delivery attempts. */
  alertingObserver(): AlertingObserver {
    return {
      evaluated: (seconds: number, ok: boolean) => {
        this.alertEvaluations.inc({ outcome: ok ? 'ok' : 'error' });
        this.alertEvaluationSeconds.observe(seconds);
      },
      delivered: (channelKind: AlertChannelKind | 'unknown', outcome: DeliveryOutcome) => {
        this.alertDeliveries.inc({ channel_kind: channelKind, status: outcome });
      },
    };
  }

  /** Counts an ingest request refused before its handler ran (see logpulse_ingest_refused_total). */
  recordRefusal(reason: 'rate_limited' | 'busy'): void {
    this.ingestRefused.inc({ reason });
  }

  /** A Yoga plugin that counts and times every operation that reaches execution (HTTP, SSE and WebSocket alike). */
  graphqlPlugin(): Plugin {
    const observe = (
      document: DocumentNode,
      operationName: string | null | undefined,
      started: number,
      outcome: 'ok' | 'error' | 'invalid',
    ) => {
      const operation = getOperationAST(document, operationName);
      const labels = { operation: this.operations.of(operation?.name?.value ?? 'anonymous'), type: operation?.operation ?? 'unknown' };
      this.graphqlOperations.inc({ ...labels, outcome });
      if (outcome !== 'invalid') this.graphqlSeconds.observe(labels, (performance.now() - started) / 1000);
    };
    const failed = (result: ExecutionResult | AsyncIterable<ExecutionResult>): 'ok' | 'error' =>
      !(Symbol.asyncIterator in result) && (result.errors?.length ?? 0) > 0 ? 'error' : 'ok';
    return {
      // Refused before execution (unknown fields, bad arguments, depth and cost limits). The
      // armor limits throw from inside validation, which skips after-hooks: wrap the function.
      onValidate: ({ params, validateFn, setValidationFn }) => {
        setValidationFn((...args: Parameters<typeof validateFn>) => {
          let errors: ReturnType<typeof validateFn>;
          try {
            errors = validateFn(...args);
          } catch (error) {
            observe(params.documentAST, undefined, performance.now(), 'invalid');
            throw error;
          }
          if (errors.length > 0) observe(params.documentAST, undefined, performance.now(), 'invalid');
          return errors;
        });
      },
      onExecute: ({ args }) => {
        const started = performance.now();
        return { onExecuteDone: ({ result }) => observe(args.document, args.operationName, started, failed(result)) };
      },
      onSubscribe: ({ args }) => {
        const started = performance.now();
        return {
          onSubscribeResult: ({ result }) => observe(args.document, args.operationName, started, failed(result)),
          onSubscribeError: () => observe(args.document, args.operationName, started, 'error'),
        };
      },
    };
  }

  close(): void {
    unsubscribe(AI_USAGE_CHANNEL, this.onAiUsage);
    this.registry.clear();
  }
}

/** The per-address ingest limiter, counting its refusals. */
export class CountedRateLimiter extends TokenBucketLimiter {
  constructor(
    ratePerSecond: number,
    burst: number,
    private readonly onRefused: () => void,
  ) {
    super(ratePerSecond, burst);
  }

  override take(key: string, now?: number): RateVerdict {
    const verdict = super.take(key, now);
    if (!verdict.allowed) this.onRefused();
    return verdict;
  }
}

export interface MetricsAccess {
  /** METRICS_TOKEN: Bearer token Prometheus presents; unset means loopback peers only. */
  token: string | undefined;
  /** With reverse proxies in front, a loopback peer is the proxy, not the scraper: require the token. */
  trustProxyHops: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * GET /metrics in the Prometheus text format. With METRICS_TOKEN it needs that Bearer token;
 * without, it answers only connections from the gateway's own host (a sidecar or node agent
 * scraping localhost), and never when a proxy is trusted (everything would come from loopback).
 */
export function createMetricsHandler(metrics: GatewayMetrics, access: MetricsAccess) {
  return async function handleMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify({ error }));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'use GET', { allow: 'GET, HEAD' });
    if (access.token) {
      if (!tokenMatches(bearerToken(req.headers.authorization), [access.token])) {
        return refuse(401, 'missing or invalid bearer token (METRICS_TOKEN)', { 'www-authenticate': 'Bearer realm="logpulse-metrics"' });
      }
    } else if (access.trustProxyHops > 0 || !LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      return refuse(403, 'metrics are served to this host only; set METRICS_TOKEN to scrape from elsewhere');
    }
    try {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    } catch (error) {
      refuse(500, `metrics could not be collected: ${(error as Error).message}`);
    }
  };
}
