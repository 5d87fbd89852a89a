import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { registerAccessLog } from './accessLog/hook.ts';
import { RotatingFile } from './accessLog/rotatingFile.ts';
import { FaultHeaderError, faultFromHeaders } from './api/faults.ts';
import { registerResource } from './api/resources.ts';
import { productSchema, slowQuerySchema, userSchema, type Product, type User } from './api/schemas.ts';
import { seedCollections } from './api/seed.ts';
import { Collection } from './api/store.ts';
import { configFromEnv, type TargetServerConfig } from './config.ts';
import { registerScenarioRoutes } from './scenario/routes.ts';
import { ScenarioController } from './scenario/scenarios.ts';
import type { EndpointKind } from './workload/mix.ts';
import { sampleWorkMs } from './workload/mix.ts';
import { createRandom, randomSeed } from './workload/random.ts';
import { sendValidationError } from './api/resources.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Demo API routes carry their kind; faults and simulated work apply only to them. */
    kind?: EndpointKind;
  }
}

export interface TargetServerOptions extends Partial<TargetServerConfig> {
  /** Seed for injected faults and simulated work (default: random). */
  seed?: number;
}

export interface RunningTargetServer {
  /** Base URL reachable from this machine, e.g. http://127.0.0.1:8081 */
  url: string;
  port: number;
  /** Path of the access log being written. */
  accessLog: string;
  scenario: ScenarioController;
  /** Stops accepting requests, ends pending delays, closes the access log. */
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const errorBody = (status: number): { error: string } => ({ error: STATUS_CODES[status] ?? 'Error' });

/** Waits, unless the response is over (client gone) or the server is stopping. */
async function delay(ms: number, request: FastifyRequest, stopping: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal: AbortSignal.any([request.timing.signal, stopping]) });
  } catch {
    throw stopping.aborted ? new HttpError(503, 'server is shutting down') : new HttpError(499, 'client closed the request');
  }
}

function buildApp(config: TargetServerConfig, log: RotatingFile, scenario: ScenarioController, seed: number, stopping: AbortSignal): FastifyInstance {
  const random = createRandom(seed);
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, return503OnClosing: true });

  registerAccessLog(app, log, config.service);

  app.addHook('preHandler', async (request, reply) => {
    const kind = request.routeOptions.config.kind;
    if (!kind) return;
    const path = request.raw.url ?? request.url;
    const requested = config.faultHeaders ? faultFromHeaders(request.headers) : { delayMs: 0 };
    const injected = scenario.fault(path, random);
    await delay(requested.delayMs + injected.delayMs, request, stopping);
    const status = requested.status ?? injected.status;
    if (status !== undefined) {
      return reply
        .code(status)
        .header('x-fault-injected', requested.status !== undefined ? 'header' : 'scenario')
        .send(errorBody(status));
    }
    if (config.simulateWork) await delay(sampleWorkMs(kind, random), request, stopping);
  });

  app.setErrorHandler((error: FastifyError | HttpError, _request, reply) => {
    if (error instanceof FaultHeaderError) return reply.code(400).send({ error: error.message });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode <= 599 ? error.statusCode : 500;
    if (status >= 500 && status !== 503) console.error('target-server: unhandled error', error);
    return reply.code(status).send({ error: status >= 500 ? (STATUS_CODES[status] ?? 'Error') : error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `No route for ${request.method} ${request.url.split('?')[0]}` }));

  const users = new Collection<User>();
  const products = new Collection<Product>();
  seedCollections(users, products);
  registerResource(app, { name: 'users', singular: 'user', schema: userSchema, collection: users });
  registerResource(app, { name: 'products', singular: 'product', schema: productSchema, collection: products });

  app.get('/api/error/500', { config: { kind: 'error500' } }, async (_request, reply) =>
    reply.code(500).send({ error: 'Internal Server Error', message: 'Simulated failure' }),
  );
  app.get('/api/error/404', { config: { kind: 'error404' } }, async (_request, reply) =>
    reply.code(404).send({ error: 'Not Found', message: 'Simulated missing resource' }),
  );
  app.get('/api/slow', { config: { kind: 'slow' } }, async (request, reply) => {
    const query = slowQuerySchema.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, 'query', query.error);
    const ms = query.data.ms ?? config.slowDefaultMs;
    await delay(ms, request, stopping);
    return { delayed_ms: ms };
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  registerScenarioRoutes(app, scenario);
  return app;
}

function reachableUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * Starts the demo API with its access log. Options override the environment (TARGET_PORT,
 * ACCESS_LOG, SERVICE_NAME, ...), which overrides the defaults; port 0 picks a free port.
 */
export async function startTargetServer(options: TargetServerOptions = {}): Promise<RunningTargetServer> {
  const { seed = randomSeed(), ...overrides } = options;
  const config: TargetServerConfig = { ...configFromEnv(), ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const log = new RotatingFile({ file: config.accessLog, maxBytes: config.logMaxBytes, keep: config.logFiles });
  const scenario = new ScenarioController();
  const stopping = new AbortController();
  const app = buildApp(config, log, scenario, seed, stopping.signal);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    log.close();
    throw new Error(`target-server could not listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let stopped: Promise<void> | undefined;
  return {
    url: reachableUrl(config.host, port),
    port,
    accessLog: config.accessLog,
    scenario,
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        // Pending delays end with 503 at once; anything still open after a grace period is cut.
        const force = setTimeout(() => app.server.closeAllConnections(), 2000);
        await app.close();
        clearTimeout(force);
        log.close();
      })();
      return stopped;
    },
  };
}
