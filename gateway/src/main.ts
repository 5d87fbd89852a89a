import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { buildApp } from './app.ts';

/** Entry point: `npm start -w gateway` (the root `npm start` runs the whole platform). */
const logger = createLogger();
let config;
try {
  config = loadConfig();
} catch (error) {
  logger.fatal((error as Error).message);
  process.exit(1);
}
const app = buildApp(config, { logger });
let url: string;
try {
  ({ url } = await app.start());
} catch (error) {
  // e.g. EADDRINUSE: one clear line and a non-zero exit, not a stack trace.
  logger.fatal({ err: error }, `gateway could not start: ${(error as Error).message}`);
  await app.stop().catch(() => {});
  process.exit(1);
}
logger.info({ url, database: app.database?.mode }, `gateway listening: dashboard ${url}/  GraphiQL ${url}/graphql`);
if (config.ingestAuthDisabled) {
  logger.warn('INGEST_AUTH=none: /log/ingest accepts records without a token (development, loopback only)');
}
if (config.ingestTokenGenerated) {
  // Printed once on purpose: in development there is no other way to learn the generated token.
  logger.info(`INGEST_TOKEN not set: using a generated dev token for this run: ${config.ingestTokens[0]}`);
}
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void app.stop().then(() => process.exit(0));
  });
}
