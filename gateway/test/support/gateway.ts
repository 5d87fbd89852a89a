import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, type GatewayConfig } from '../../src/config.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { buildApp, type App } from '../../src/app.ts';
import { createTestStorage, type StorageMode, type TestStorage } from './databases.ts';

export const TEST_TOKEN = 'test-ingest-token-0123456789';

export interface TestGateway {
  app: App;
  url: string;
  storage: TestStorage;
  config: GatewayConfig;
  /** POSTs a body to /log/ingest with the test token (unless headers override it). */
  ingest(body: string | Buffer | Uint8Array, headers?: Record<string, string>, query?: string): Promise<Response>;
  /** Runs a GraphQL operation over HTTP and returns the response body as sent. */
  graphqlText(query: string, variables?: Record<string, unknown>): Promise<string>;
  /** Runs a GraphQL operation over HTTP and returns the parsed response. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Stops the gateway and drops its database. */
  close(): Promise<void>;
}

/**
 * Starts a real gateway (node:http, real database) on an ephemeral port. With `storage` given it
 * reuses that database (restart tests); otherwise it creates a fresh one and drops it on close.
 * With `logs`, every log line (debug level, plain pino without the production redaction) is
 * appended to it, for tests that prove a secret never reaches the log.
 */
export async function startTestGateway(
  mode: StorageMode,
  options: { env?: Record<string, string>; storage?: TestStorage; keepStorage?: boolean; clock?: Clock; logs?: string[] } = {},
): Promise<TestGateway> {
  const storage = options.storage ?? (await createTestStorage(mode));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    INGEST_TOKEN: TEST_TOKEN,
    DATA_DIR: storage.dataDir,
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    ...options.env,
  });
  const logs = options.logs;
  const logger = logs
    ? pino(
        { level: 'debug' },
        new Writable({
          write(chunk, _encoding, done) {
            logs.push(String(chunk));
            done();
          },
        }),
      )
    : createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = buildApp(config, { logger, clock: options.clock });
  const { url } = await app.start();
  const graphqlText = async (query: string, variables?: Record<string, unknown>): Promise<string> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return res.text();
  };
  return {
    app,
    url,
    storage,
    config,
    ingest: (body, headers = {}, query = '') =>
      fetch(`${url}/log/ingest${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson', ...headers },
        body: body as BodyInit,
      }),
    graphqlText,
    async graphql(query, variables) {
      return JSON.parse(await graphqlText(query, variables));
    },
    async close() {
      await app.stop();
      if (!options.keepStorage) await storage.drop();
    },
  };
}

/** Newline-delimited JSON, as Fluent Bit's json_lines format sends it. */
export function jsonLines(records: readonly object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
