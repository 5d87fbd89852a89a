import type { AiRuntime } from './ai/runtime.ts';
import type { GatewayConfig } from './config.ts';
import type { Clock } from './domain/clock.ts';
import type { AnomalyReportCache } from './insights/anomalies/report-cache.ts';
import type { LivePubSub } from './live/pubsub.ts';
import type { Logger } from './logger.ts';
import type { Database } from './storage/db.ts';
import type { Readiness } from './storage/readiness.ts';

/**
 * What every resolver gets: the services app.ts built once for this gateway. They travel in the
 * context (rather than module singletons) because tests run several gateways, each on its own
 * database, in one process.
 */
export interface GatewayContext {
  config: GatewayConfig;
  logger: Logger;
  clock: Clock;
  pubsub: LivePubSub;
  ai: AiRuntime;
  anomalyCache: AnomalyReportCache;
  /** Throws StorageUnavailableError (503) while the database is unreachable or not migrated. */
  db: Database;
  /** The storage readiness check shared with GET /readyz. */
  readiness(): Promise<Readiness>;
  /** Stable per-client key (IP address) for rate limits. */
  clientKey: string;
  /**
   * Aborts when the operation's client is gone (a WebSocket operation completed or its socket
   * closed); over HTTP the request's own signal serves. Cancels its PostgreSQL statements.
   */
  operationSignal?: AbortSignal;
}
