import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { modelEnv, startOpenAiStub, type OpenAiStub } from './openai-stub.ts';
import { ANALYZE, CHAT } from './scenario.ts';

/**
 * The API key goes to the provider and nowhere else: not into logs (at debug level), not into
 * GraphQL answers — even when a server echoes it back in an error.
 */
const KEY = 'sk-live-SECRET-4f9c2b7e1d0a5c3e8b6f';

describe('the OpenAI API key', () => {
  let stub: OpenAiStub;
  let gw: TestGateway;
  const logs: string[] = [];

  beforeAll(async () => {
    stub = await startOpenAiStub();
    gw = await startTestGateway('postgres', {
      logs,
      env: modelEnv(stub, KEY, { AI_TIMEOUT_MS: '2000' }),
    });
  });
  afterAll(async () => {
    await gw?.close();
    await stub?.close();
  });

  const graphql = (query: string, variables: Record<string, unknown> = {}) => gw.graphqlText(query, variables);

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
