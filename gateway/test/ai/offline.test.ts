import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { ANALYZE, CHAT, dataOf, ingestGeneratedTraffic, type ChatResult, type InsightResult } from './scenario.ts';

/**
 * No API key: the offline analyst and the offline chat on generated traffic with two scripted
 * incidents in the last minutes — a latency incident on /api/products and an error burst on
 * /api/users — against both storage modes.
 */
const HANGUL = /[\uAC00-\uD7AF]/;

/** The endpoint a finding about `resource` starts with (`<prefix> GET /api/x: …`), asserting there is one. */
function leadOf(problems: string[], prefix: string, resource: string): string {
  const pattern = new RegExp(`^${prefix} ([A-Z]+ ${resource.replaceAll('/', '\\/')}(?:/:id)?):`);
  const lead = problems.map((p) => pattern.exec(p)?.[1]).find(Boolean);
  expect(lead, `${prefix} ${resource} in ${JSON.stringify(problems)}`).toBeDefined();
  return lead!;
}

describe.each(STORAGE_MODES)('offline AI on %s', (mode) => {
  let gw: TestGateway;
  let incidentAt: Date;

  beforeAll(async () => {
    gw = await startTestGateway(mode, { env: { AI_RATE_LIMIT_PER_MINUTE: '1000' } });
    const endAgoMs = 20_000;
    incidentAt = new Date(Date.now() - endAgoMs - 4 * 60_000);
    await ingestGeneratedTraffic(gw, {
      minutes: 40,
      rate: 4,
      endAgoMs,
      incidents: ['latency:/api/products:4m@-5m', 'errors:/api/users:4m@-5m'],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const analyze = async (language = 'EN') =>
    dataOf(await gw.graphql<{ analyzeRecentLogs: InsightResult }>(ANALYZE, { windowMinutes: 5, language })).analyzeRecentLogs;
  const ask = async (message: string, conversationId?: string) =>
    dataOf(await gw.graphql<{ chat: ChatResult }>(CHAT, { message, conversationId })).chat;

  it('names each incident with its endpoint and kind, with the numbers', async () => {
    const insight = await analyze();
    expect(insight.provider).toBe('offline');
    expect(insight.model).toBe('logpulse-rules');
    expect(insight.notice).toBeNull();
    expect(insight.usage.totalTokens).toBe(0);
    expect(['WARNING', 'CRITICAL']).toContain(insight.severity);
    // Each incident hits every endpoint of its resource; the finding is led by the worst one,
    // which depends on how the random traffic falls into this run's window.
    const latencyLead = leadOf(insight.problems, 'Latency regression on', '/api/products');
    const errorLead = leadOf(insight.problems, 'Error burst on', '/api/users');
    expect([latencyLead, errorLead]).toContain(insight.worstEndpoint);
    const labels = insight.evidence.map((e) => e.label);
    expect(labels).toContain(`${latencyLead} p95`);
    expect(labels).toContain(`${errorLead} 5xx rate`);
    const p95 = insight.evidence.find((e) => e.label === `${latencyLead} p95`)!;
    const before = insight.evidence.find((e) => e.label === `${latencyLead} p95, previous hour`)!;
    expect(p95.unit).toBe('ms');
    expect(p95.value).toBeGreaterThan(2 * before.value);
    expect(insight.causes.length).toBeGreaterThan(0);
    expect(insight.improvements.length).toBeGreaterThan(0);
    // The demo's always-failing route is told apart from the new burst.
    expect(insight.problems.some((p) => p.includes('/api/error/') && p.startsWith('Error burst'))).toBe(false);
  });

  it('writes the insight in Korean on request, and keeps every insight in the history', async () => {
    const insight = await analyze('KO');
    expect(insight.summary).toMatch(HANGUL);
    expect(insight.problems.join(' ')).toMatch(/[A-Z]+ \/api\/products(\/:id)?의 지연 시간 증가/);

    const page = dataOf(
      await gw.graphql<{
        aiInsights: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }>('{ aiInsights(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }'),
    ).aiInsights;
    expect(page.edges).toHaveLength(1);
    expect(page.edges[0]!.node.id).toBe(insight.id);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = dataOf(
      await gw.graphql<{ aiInsights: { edges: { node: { id: string } }[] } }>(
        'query($after: String) { aiInsights(first: 10, after: $after) { edges { node { id } } } }',
        {
          after: page.pageInfo.endCursor,
        },
      ),
    ).aiInsights;
    expect(next.edges.map((e) => Number(e.node.id)).every((id) => id < Number(insight.id))).toBe(true);
    expect(next.edges.length).toBeGreaterThanOrEqual(1);
  });

  it('answers "which endpoint is slowest?" with the endpoint and number of slowEndpoints', async () => {
    const reply = await ask('Which endpoint is slowest?');
    // The same window the answer cites (a "last 30m" asked a moment later could start a minute later).
    const { from, to } = reply.citations[0]!;
    const slow = dataOf(
      await gw.graphql<{ slowEndpoints: { method: string; route: string; p95: number }[] }>(
        'query($from: DateTime!, $to: DateTime!) { slowEndpoints(range: {from: $from, to: $to}, limit: 1) { method route p95 } }',
        { from, to },
      ),
    ).slowEndpoints[0]!;
    const endpoint = `${slow.method} ${slow.route}`;
    expect(reply.provider).toBe('offline');
    expect(reply.refused).toBe(false);
    expect(reply.language).toBe('EN');
    expect(reply.answer).toContain(
      `The slowest endpoint in the last 30 minutes is ${endpoint}: p95 ${Math.round(slow.p95).toLocaleString('en-US')} ms`,
    );
    expect(reply.citations[0]!.analysis).toBe('slowEndpoints');
    const figure = reply.citations[0]!.figures.find((f) => f.label === `${endpoint} p95`)!;
    expect(figure.value).toBeCloseTo(slow.p95, 1);
    const minutes = (Date.parse(reply.citations[0]!.to) - Date.parse(reply.citations[0]!.from)) / 60_000;
    expect(minutes).toBeCloseTo(30, 5);
  });

  it('answers a Korean question in Korean', async () => {
    const reply = await ask('가장 느린 엔드포인트는 뭐야?');
    const slow = dataOf(
      await gw.graphql<{ slowEndpoints: { method: string; route: string }[] }>(
        'query($from: DateTime!, $to: DateTime!) { slowEndpoints(range: {from: $from, to: $to}, limit: 1) { method route } }',
        { from: reply.citations[0]!.from, to: reply.citations[0]!.to },
      ),
    ).slowEndpoints[0]!;
    expect(reply.language).toBe('KO');
    expect(reply.answer).toMatch(HANGUL);
    expect(reply.answer).toContain(`가장 느린 엔드포인트는 ${slow.method} ${slow.route}입니다`);
  });

  it('refuses off-topic questions politely, in the question’s language', async () => {
    for (const question of ['Write me a poem', "What's the weather like in Seoul?", 'write me a poem about my API errors']) {
      const reply = await ask(question);
      expect(reply.refused, question).toBe(true);
      expect(reply.provider).toBe('guard');
      expect(reply.answer).toMatch(/^Sorry, I can only help with questions about this API's logs/);
      expect(reply.citations).toEqual([]);
    }
    const ko = await ask('오늘 날씨 어때?');
    expect(ko.refused).toBe(true);
    expect(ko.answer).toMatch(/^죄송하지만/);
  });

  it('says what happened at a given time of day', async () => {
    const hhmm = incidentAt.toISOString().slice(11, 16);
    const reply = await ask(`What happened at ${hhmm}?`);
    expect(reply.answer).toMatch(new RegExp(`^Around ${hhmm}: \\d+ problems? in \\d\\d:\\d\\d–\\d\\d:\\d\\d\\.`));
    expect(reply.answer).toMatch(/Latency regression on GET \/api\/products|Error burst on GET \/api\/users/);
    expect(reply.citations[0]!.analysis).toBe('analyzeWindow');
    expect(Date.parse(reply.citations[0]!.from)).toBeLessThanOrEqual(incidentAt.getTime());
  });

  it('answers "is anything wrong?" with the findings of the last 30 minutes', async () => {
    const reply = await ask('Is anything wrong?');
    expect(reply.refused).toBe(false);
    expect(reply.answer).toMatch(/^\d+ problems? in the last 30 minutes\. Most serious: /);
    expect(reply.citations[0]!.analysis).toBe('analyzeWindow');
  });

  it('answers the error rate now, the top errors and the busiest endpoint from the analytics', async () => {
    const rate = await ask('What is the error rate now?');
    expect(rate.answer).toMatch(/^The error rate right now \(the last 5 minutes\) is \d+(\.\d)?%/);
    expect(rate.citations.map((c) => c.analysis)).toEqual(['traffic', 'traffic']);

    const top = await ask('What are the top errors?');
    expect(top.answer).toMatch(/^Top errors in the last 30 minutes:/);
    expect(top.answer).toMatch(/- 500: [\d,]+ .*GET \/api\/users/);
    expect(top.citations[0]!.analysis).toBe('statusEndpointTop');

    const busy = await ask('Which endpoint is the busiest?');
    const usage = dataOf(
      await gw.graphql<{ endpointUsage: { method: string; route: string; count: number }[] }>(
        'query($from: DateTime!, $to: DateTime!) { endpointUsage(range: {from: $from, to: $to}, limit: 1) { method route count } }',
        { from: busy.citations[0]!.from, to: busy.citations[0]!.to },
      ),
    ).endpointUsage[0]!;
    expect(busy.answer).toContain(
      `The busiest endpoint in the last 30 minutes is ${usage.method} ${usage.route}: ${usage.count.toLocaleString('en-US')} requests`,
    );
  });

  it('describes one endpoint and keeps the conversation', async () => {
    const first = await ask('How is GET /api/users/7 doing?');
    expect(first.answer).toMatch(/^GET \/api\/users\/:id in the last 30 minutes: [\d,]+ requests, 5xx/);
    expect(first.citations[0]!.analysis).toBe('endpointDetail');
    const second = await ask('and the error rate now?', first.conversationId);
    expect(second.conversationId).toBe(first.conversationId);
    const messages = dataOf(
      await gw.graphql<{ chatMessages: { role: string; content: string }[] }>(
        'query($id: ID!) { chatMessages(conversationId: $id) { role content } }',
        { id: first.conversationId },
      ),
    ).chatMessages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages[2]!.content).toBe('and the error rate now?');
  });
});
