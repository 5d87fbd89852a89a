import type { GatewayConfig } from './config.ts';
import type { Database } from './storage/db.ts';
import type { LivePubSub } from './live/pubsub.ts';
import type { Logger } from './logger.ts';

/**
 * What every resolver gets. The database travels in the context (rather than a module
 * singleton) because tests run several gateways, each on its own database, in one process.
 */
export interface GatewayContext {
  config: GatewayConfig;
  logger: Logger;
  pubsub: LivePubSub;
  /** Throws a 503-coded GraphQL error while the database is unreachable or not migrated. */
  db: Database;
  /** Stable per-client key (IP address) for rate limits. */
  clientKey: string;
}
