import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildApp, type App } from '../../src/app.ts';
import { createTestStorage, type TestStorage } from '../support/databases.ts';
import { modelEnv, startOpenAiStub, type OpenAiStub } from './openai-stub.ts';
import { ANALYZE, CHAT } from './scenario.ts';

/**
 * The API key goes to the provider and nowhere else: not into logs (at debug level), not into
 * GraphQL answers — even when a server echoes it back in an error.
 */
const KEY = 'sk-live-SECRET-4f9c2b7e1d0a5c3e8b6f';

describe('the OpenAI API key', () => {
  let stub: OpenAiStub;
  let storage: TestStorage;
  let app: App;
  let url: string;
  const logs: string[] = [];

  beforeAll(async () => {
    stub = await startOpenAiStub();
    storage = await createTestStorage('postgres');
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      INGEST_TOKEN: 'test-ingest-token-0123456789',
      DATA_DIR: storage.dataDir,
      DATABASE_URL: storage.databaseUrl!,
      ...modelEnv(stub, KEY, { AI_TIMEOUT_MS: '2000' }),
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    app = buildApp(config, { logger: pino({ level: 'debug' }, sink) });
    ({ url } = await app.start());
  });
  afterAll(async () => {
    await app?.stop();
    await storage?.drop();
    await stub?.close();
  });

  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return res.text();
  };

  it('is sent to the provider only, never logged or returned, even when the provider echoes it', async () => {
    const echo = (req: { headers: Record<string, unknown> }) => ({
      kind: 'json' as const,
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}`, code: 'invalid_api_key' } },
    });
    stub.script(echo, echo);
    const analysis = await graphql(ANALYZE, { windowMinutes: 5 });
    const chat = await graphql(CHAT, { message: 'Which endpoint is slowest?' });
    const status = await graphql('{ aiStatus { provider model tokensPerHour tokensUsedLastHour } }');

    // The provider did get the key (so the check below is meaningful) and 401 was not retried.
    expect(stub.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
    expect(JSON.parse(analysis).data.analyzeRecentLogs.notice).toBe(
      'The model provider rejected the API key (HTTP 401); the offline analyst answered.',
    );
    expect(JSON.parse(chat).data.chat.provider).toBe('offline');
    expect(JSON.parse(status).data.aiStatus.provider).toBe('openai');

    const secretPart = KEY.slice(8);
    for (const text of [analysis, chat, status, ...logs]) expect(text).not.toContain(secretPart);
    expect(logs.join('')).toContain('rejected the API key');
  });
});
