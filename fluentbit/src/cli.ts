// `npm run ship -w fluentbit`: runs the dev stand-in for Fluent Bit on its own.
//   SHIPPER_FILE  log to follow        (default target-server/logs/access.log)
//   INGEST_URL    gateway endpoint     (default http://127.0.0.1:8000/log/ingest)
//   INGEST_TOKEN  Bearer token         (default none)
//   DATA_DIR      state lives in $DATA_DIR/shipper (default .data)
import { join, resolve } from 'node:path';
import { consoleLogger, LOG_PREFIX } from './logger.ts';
import { ShipperOptionsError, startShipper } from './shipper.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
// npm runs workspace scripts inside the workspace; relative paths mean where the user typed them.
const userCwd = process.env.INIT_CWD ?? process.cwd();
const fromUser = (value: string | undefined, fallback: string) => (value ? resolve(userCwd, value) : resolve(repoRoot, fallback));

const logger = consoleLogger();
const token = process.env.INGEST_TOKEN ?? '';
if (!token) logger.warn('INGEST_TOKEN is not set: requests carry no Authorization header');

try {
  const shipper = startShipper({
    file: fromUser(process.env.SHIPPER_FILE, 'target-server/logs/access.log'),
    url: process.env.INGEST_URL || 'http://127.0.0.1:8000/log/ingest',
    token,
    stateDir: join(fromUser(process.env.DATA_DIR, '.data'), 'shipper'),
    logger,
  });
  const shutdown = (signalName: string) => {
    logger.info(`${signalName}: stopping (an unacknowledged batch stays spooled for the next start)`);
    void shipper.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (!(error instanceof ShipperOptionsError)) throw error;
  console.error(`${LOG_PREFIX} ${error.message}`);
  process.exit(2);
}
