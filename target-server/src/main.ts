import { startTargetServer } from './server.ts';

// `npm start -w target-server`: the demo API on TARGET_PORT, logging to ACCESS_LOG.
try {
  const server = await startTargetServer();
  console.log(`target-server listening on ${server.url} (scenarios: ${server.url}/), access log ${server.accessLog}`);
  const shutdown = (signal: string): void => {
    console.log(`target-server: ${signal}, stopping`);
    server.stop().then(
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
