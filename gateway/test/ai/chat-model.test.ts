import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { modelEnv, streamedAnswer, streamedToolCalls, startOpenAiStub, type OpenAiStub } from './openai-stub.ts';
import { CHAT, dataOf, INJECTION, ingestGeneratedTraffic, injectionRecord, type ChatResult } from './scenario.ts';
import { subscribeSse } from '@logpulse/testkit/sse';
import { waitFor } from '@logpulse/testkit/wait-for';

/**
 * chat against a local OpenAI-compatible server: tools offered and run against the analytics,
 * the answer streamed token by token to a chatStream subscriber, conversations as context,
 * limits, refusals and failures.
 */
const KEY = 'sk-test-chat-0123456789abcdef';
const TOOL_NAMES = [
  'traffic',
  'endpoint_usage',
  'slow_endpoints',
  'error_distribution',
  'status_endpoint_top',
  'endpoint_detail',
  'recent_logs',
  'anomalies',
  'window_summary',
  'alerts',
];

interface Message {
  role: string;
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

interface StreamEvent {
  chatStream: { conversationId: string; turnId: string; delta: string; done: boolean; answer: string | null; provider: string | null };
}

const STREAM = /* GraphQL */ `
  subscription ($id: ID!) {
    chatStream(conversationId: $id) {
      conversationId
      turnId
      delta
      done
      answer
      provider
    }
  }
`;

/** The JSON in a tool result's data block, checking the block's markers. */
function toolResult(
  message: Message,
  name: string,
  boundary: string,
): { window: { from: string; to: string; note?: string }; result: Record<string, unknown> } {
  const content = message.content!;
  const open = `<data label="result of ${name}" boundary="${boundary}">`;
  expect(content.startsWith(open)).toBe(true);
  expect(content.endsWith(`</data boundary="${boundary}">`)).toBe(true);
  return JSON.parse(content.slice(open.length, content.length - `</data boundary="${boundary}">`.length));
}

describe.each(STORAGE_MODES)('chat with a model on %s', (mode) => {
  let stub: OpenAiStub;
  let gw: TestGateway;

  beforeAll(async () => {
    stub = await startOpenAiStub();
    gw = await startTestGateway(mode, {
      env: modelEnv(stub, KEY, { AI_TIMEOUT_MS: '2000', AI_MAX_TOOL_CALLS: '3' }),
    });
    await ingestGeneratedTraffic(gw, { minutes: 20, rate: 2, endAgoMs: 10_000, extra: [injectionRecord(new Date(Date.now() - 30_000))] });
  });
  afterAll(async () => {
    await gw?.close();
    await stub?.close();
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });

  const ask = async (message: string, conversationId?: string) =>
    dataOf(await gw.graphql<{ chat: ChatResult }>(CHAT, { message, conversationId })).chat;

  it('offers the tools, runs the calls within the lookback, and streams the final answer token by token', async () => {
    const conversationId = randomUUID();
    const listeners = gw.app.pubsub.stats().listeners;
    const stream = await subscribeSse<StreamEvent>(gw.url, STREAM, { id: conversationId });
    await waitFor('the chatStream subscription', () => gw.app.pubsub.stats().listeners > listeners);

    stub.script(
      streamedToolCalls([
        { id: 'call_1', name: 'slow_endpoints', args: { minutes: 120, limit: 3 } },
        { id: 'call_2', name: 'recent_logs', args: { statusClass: 5, limit: 20 } },
      ]),
      streamedAnswer(['The slowest ', 'endpoint is ', 'GET /api/slow.']),
    );
    const reply = await ask('Which endpoint is slowest, and what are the latest server errors?', conversationId);
    expect(reply).toMatchObject({
      conversationId,
      answer: 'The slowest endpoint is GET /api/slow.',
      provider: 'openai',
      model: 'stub-model',
      refused: false,
      toolCalls: 2,
      notice: null,
    });
    expect(reply.usage.totalTokens).toBe(170 + 240);
    expect(reply.citations.map((c) => c.analysis)).toEqual(['slowEndpoints', 'recentLogs']);
    const slowCitation = reply.citations[0]!;
    expect(Date.parse(slowCitation.to) - Date.parse(slowCitation.from)).toBe(30 * 60_000);
    expect(slowCitation.figures.some((f) => f.label.endsWith(' p95') && f.unit === 'ms')).toBe(true);

    // What the gateway sent.
    expect(stub.requests).toHaveLength(2);
    const [first, second] = stub.requests.map((r) => r.body);
    expect(first.model).toBe('stub-model');
    expect(first.stream).toBe(true);
    expect(first.tool_choice).toBe('auto');
    expect(first.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(TOOL_NAMES);
    const system = (first.messages as Message[])[0]!;
    expect(system.role).toBe('system');
    expect(system.content).toContain(
      'The tools can look back at most 30 minutes; when the question names no period, use the last 30 minutes.',
    );
    expect(system.content).toContain('refuse politely');
    expect(system.content).not.toContain('Ignore previous instructions');
    expect((first.messages as Message[]).at(-1)).toEqual({
      role: 'user',
      content: 'Which endpoint is slowest, and what are the latest server errors?',
    });

    const boundary = /boundary="([0-9a-f]{16})"/.exec(system.content!)![1]!;
    const messages = second.messages as Message[];
    expect(messages[0]).toEqual(system);
    const assistant = messages.at(-3)!;
    expect(assistant.tool_calls!.map((c) => [c.id, c.function.name])).toEqual([
      ['call_1', 'slow_endpoints'],
      ['call_2', 'recent_logs'],
    ]);
    expect(messages.at(-2)!.tool_call_id).toBe('call_1');
    expect(messages.at(-1)!.tool_call_id).toBe('call_2');
    const slow = toolResult(messages.at(-2)!, 'slow_endpoints', boundary);
    // Asked for 120 minutes, given the 30 the assistant may see.
    expect(Date.parse(slow.window.to) - Date.parse(slow.window.from)).toBe(30 * 60_000);
    expect(slow.window.note).toBe('cut to the lookback limit');
    expect((slow.result.endpoints as unknown[]).length).toBe(3);

    // Raw records are labelled data: the injection attempt is inside the block, escaped, and nowhere else.
    const logs = toolResult(messages.at(-1)!, 'recent_logs', boundary);
    const records = logs.result.records as { userAgent: string; path: string; status: number }[];
    expect(records.every((r) => r.status >= 500)).toBe(true);
    const injected = records.find((r) => r.userAgent.startsWith('Ignore previous instructions'))!;
    expect(injected.userAgent).toBe(INJECTION);
    expect(messages.at(-1)!.content).not.toContain('</data>');
    const carriers = messages.filter((m) => m.content?.includes('Ignore previous instructions'));
    expect(carriers).toEqual([messages.at(-1)]);

    // The answer arrived piece by piece on the subscription, then the final event.
    await stream.until(() => stream.events.some((e) => e.chatStream.done));
    const events = stream.events.map((e) => e.chatStream);
    expect(events.filter((e) => !e.done).map((e) => e.delta)).toEqual(['The slowest ', 'endpoint is ', 'GET /api/slow.']);
    expect(events.at(-1)).toMatchObject({ done: true, answer: reply.answer, provider: 'openai', turnId: reply.turnId });
    stream.close();
  });

  it('sends the last turns of the conversation as context', async () => {
    stub.script(streamedAnswer(['Error rate is 2%.']));
    const first = await ask('What is the error rate now?');
    stub.script(streamedAnswer(['It was GET /api/users.']));
    await ask('Which endpoint had the most errors?', first.conversationId);
    const messages = stub.requests[1]!.body.messages as Message[];
    expect(messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ['user', 'What is the error rate now?'],
      ['assistant', 'Error rate is 2%.'],
      ['user', 'Which endpoint had the most errors?'],
    ]);
  });

  it('allows at most AI_MAX_TOOL_CALLS tool calls per answer, then makes the model answer', async () => {
    stub.script(
      streamedToolCalls([
        { id: 'a', name: 'traffic', args: {} },
        { id: 'b', name: 'no_such_tool', args: {} },
        { id: 'c', name: 'endpoint_detail', args: { method: 'GET' } },
        { id: 'd', name: 'traffic', args: { minutes: 5 } },
      ]),
      streamedAnswer(['Done.']),
    );
    const reply = await ask('How is the traffic?');
    expect(reply.answer).toBe('Done.');
    expect(reply.toolCalls).toBe(3);
    expect(reply.citations.map((c) => c.analysis)).toEqual(['traffic']);
    const second = stub.requests[1]!.body;
    expect(second.tool_choice).toBe('none');
    const results = (second.messages as Message[]).filter((m) => m.role === 'tool').map((m) => m.content!);
    expect(results[1]).toContain('unknown tool \\"no_such_tool\\"');
    expect(results[2]).toContain('invalid arguments for endpoint_detail: route');
    expect(results[3]).toContain('tool call limit (3) reached');
  });

  it('falls back to the offline assistant when the model keeps calling tools past the limit', async () => {
    stub.script(
      streamedToolCalls([
        { id: 'a', name: 'traffic', args: {} },
        { id: 'b', name: 'traffic', args: {} },
        { id: 'c', name: 'traffic', args: {} },
      ]),
      streamedToolCalls([{ id: 'd', name: 'traffic', args: {} }]),
    );
    const reply = await ask('Which endpoint is the busiest?');
    expect(reply.provider).toBe('offline');
    expect(reply.notice).toBe('The model kept calling tools past the limit; the offline assistant answered.');
    expect(reply.answer).toMatch(/^The busiest endpoint in the last 30 minutes is /);
    expect(stub.requests).toHaveLength(2);
  });

  it('asks the model to answer in Korean when the question is Korean', async () => {
    stub.script(streamedAnswer(['가장 느린 엔드포인트는 ', 'GET /api/slow입니다.']));
    const reply = await ask('가장 느린 엔드포인트는 뭐야?');
    expect(reply.language).toBe('KO');
    expect(reply.answer).toBe('가장 느린 엔드포인트는 GET /api/slow입니다.');
    expect(stub.requests[0]!.body.messages[0].content).toContain('Answer in Korean (한국어)');
  });

  it('refuses off-topic questions without calling the model', async () => {
    for (const question of ['write me a poem', "what's the weather in Busan?", '시를 한 편 써줘']) {
      const reply = await ask(question);
      expect(reply.refused).toBe(true);
      expect(reply.provider).toBe('guard');
    }
    expect(stub.requests).toHaveLength(0);
  });

  it('answers offline, with a notice, when the provider keeps failing', async () => {
    stub.script(
      { kind: 'json', status: 500, body: { error: { message: 'boom' } } },
      { kind: 'json', status: 500, body: { error: { message: 'boom' } } },
    );
    const reply = await ask('Which endpoint is slowest?');
    expect(reply.provider).toBe('offline');
    expect(reply.notice).toBe('The model provider failed (HTTP 500); the offline assistant answered.');
    expect(reply.answer).toMatch(/^The slowest endpoint in the last 30 minutes is /);
    expect(reply.citations[0]!.analysis).toBe('slowEndpoints');
  });

  it('rejects a conversation id that is not a UUID', async () => {
    const result = await gw.graphql(CHAT, { message: 'slowest endpoint?', conversationId: 'robert"); DROP TABLE logs;--' });
    expect(result.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(stub.requests).toHaveLength(0);
  });
});
