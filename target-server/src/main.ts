import { existsSync, statSync } from 'node:fs';
import { configFromEnv } from './config.ts';
import { startTargetServer } from './server.ts';
import { writeBackfill } from './traffic/backfill.ts';
import { runTraffic, type TrafficRun } from './traffic/runTraffic.ts';
import { demoBackfillOptions, demoRate } from './traffic/demo.ts';

// `npm start -w target-server`: the demo API on TARGET_PORT, logging to ACCESS_LOG.
// With DEMO_TRAFFIC=1 (the container's setting) it also backfills history into an empty log and
// drives gentle traffic at itself; `npm start` at the root runs those as separate processes instead.
try {
  const config = configFromEnv();
  const demo = /^(1|true|yes|on)$/i.test(process.env.DEMO_TRAFFIC ?? '');
  // History at the live demo's rate and curve (demo.ts), so the first live minutes are not a "spike".
  const rate = demoRate();
  const history = demoBackfillOptions(rate, process.env.DEMO_BACKFILL ? { window: process.env.DEMO_BACKFILL } : {});
  if (demo && history.window !== '0' && (!existsSync(config.accessLog) || statSync(config.accessLog).size === 0)) {
    const result = await writeBackfill({ ...history, file: config.accessLog, service: config.service });
    console.log(`target-server: backfilled ${result.records} lines (${result.from} → ${result.to})`);
  }

  const server = await startTargetServer(config);
  console.log(`target-server listening on ${server.url} (scenarios: ${server.url}/), access log ${server.accessLog}`);
  let traffic: TrafficRun | undefined;
  if (demo) {
    traffic = runTraffic({ url: server.url, rate, followScenario: server.scenario });
    console.log(`target-server: demo traffic at ~${rate} req/s`);
  }

  const shutdown = (signal: string): void => {
    console.log(`target-server: ${signal}, stopping`);
    Promise.resolve(traffic?.stop())
      .then(() => server.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  console.error(`target-server: ${(error as Error).message}`);
  process.exit(1);
}
