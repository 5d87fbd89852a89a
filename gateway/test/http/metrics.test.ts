import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { jsonLines, startTestGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '@logpulse/testkit/wait-for';
import { completion, insightJson, modelEnv, startOpenAiStub, type OpenAiStub } from '../ai/openai-stub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../alerts/receivers.ts';

const HOOK_SECRET = 'whsec-metrics-0123456789abcdef';

/** The value of one sample in Prometheus text format, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return 0;
}

let requests = 0;
const record = (service: string, path = '/api/users/42', status = 200) => ({
  timestamp: new Date(Date.now() - 5_000).toISOString(),
  // Distinct requests in one millisecond: the id keeps them apart (identical lines are stored once).
  request_id: `metrics-${++requests}`,
  service,
  path,
  method: 'GET',
  status,
  latency_ms: 12.5,
  user_agent: 'metrics-test',
  ip_address: '10.0.0.1',
});

describe.each(STORAGE_MODES)('GET /metrics on %s', (mode) => {
  let gw: TestGateway;
  let stub: OpenAiStub;
  let hook: WebhookReceiver;
  let slackHook: WebhookReceiver;
  const scrape = async (headers: Record<string, string> = { authorization: 'Bearer metrics-token-0123456789' }) => {
    const res = await fetch(`${gw.url}/metrics`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  beforeAll(async () => {
    stub = await startOpenAiStub();
    hook = await startWebhookReceiver(HOOK_SECRET);
    slackHook = await startWebhookReceiver(HOOK_SECRET);
    gw = await startTestGateway(mode, {
      env: {
        ...modelEnv(stub, 'sk-metrics-test'),
        METRICS_TOKEN: 'metrics-token-0123456789',
        METRICS_MAX_SERVICES: '2',
        // Alerts judged and retried within a second; a dead receiver is given up after 2 attempts.
        ALERTS_TICK_MS: '100',
        ALERTS_LEASE_MS: '1000',
        ALERTS_RETRY_BASE_MS: '100',
        ALERTS_RETRY_MAX_MS: '200',
        ALERTS_MAX_ATTEMPTS: '2',
        ALERTS_SEND_TIMEOUT_MS: '2000',
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await stub?.close();
    await hook?.close();
    await slackHook?.close();
  });

  it('needs its own token when METRICS_TOKEN is set (the ingest and dashboard tokens do not open it)', async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(401);
    expect(
      (await fetch(`${gw.url}/metrics`, { method: 'POST', headers: { authorization: 'Bearer metrics-token-0123456789' } })).status,
    ).toBe(405);
    const text = await scrape();
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts ingest requests, records, rejections and duplicates by service and status, and times batches', async () => {
    const before = await scrape();
    const body = jsonLines([record('svc-a'), record('svc-a'), record('svc-b'), { path: '/x', method: 'GET' }]);
    const first = await gw.ingest(body, {}, '?service=svc-a');
    expect(await first.json()).toMatchObject({ accepted: 3, rejected: 1, duplicate: false });
    expect((await gw.ingest(body, {}, '?service=svc-a')).status).toBe(200);
    expect((await gw.ingest(body, { authorization: 'Bearer wrong' })).status).toBe(401);
    // A third and fourth service pass the cap of 2 label values: counted, under "_other".
    await gw.ingest(jsonLines([record('svc-c')]), {}, '?service=svc-c');
    await gw.ingest(jsonLines([record('svc-d')]), {}, '?service=svc-d');

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('logpulse_ingest_requests_total', { protocol: 'fluentbit', service: 'svc-a', status: '200' })).toBe(2);
    expect(delta('logpulse_ingest_requests_total', { protocol: 'fluentbit', service: 'none', status: '401' })).toBe(1);
    expect(delta('logpulse_ingest_records_total', { service: 'svc-a', outcome: 'accepted' })).toBe(2);
    expect(delta('logpulse_ingest_records_total', { service: 'svc-b', outcome: 'accepted' })).toBe(1);
    expect(delta('logpulse_ingest_records_total', { service: 'svc-a', outcome: 'rejected' })).toBe(1);
    expect(delta('logpulse_ingest_duplicate_batches_total', { service: 'svc-a' })).toBe(1);
    expect(delta('logpulse_ingest_requests_total', { service: '_other', status: '200' })).toBe(2);
    expect(after).not.toContain('svc-c');
    expect(delta('logpulse_ingest_batch_duration_seconds_count', { protocol: 'fluentbit', status: '200' })).toBe(4);
    expect(sample(after, 'logpulse_ingest_queue', { state: 'queued' })).toBe(0);
    expect(sample(after, 'logpulse_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(after, 'logpulse_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
  });

  it('counts OTLP requests under protocol="otlp"', async () => {
    const before = await scrape();
    const otlp = await fetch(`${gw.url}/v1/logs?service=svc-a`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(otlp.status).toBe(200);
    const after = await scrape();
    const key = { protocol: 'otlp', service: 'svc-a', status: '200' };
    expect(sample(after, 'logpulse_ingest_requests_total', key) - sample(before, 'logpulse_ingest_requests_total', key)).toBe(1);
  });

  it('counts GraphQL operations by name and outcome, with latency', async () => {
    const before = await scrape();
    expect((await gw.graphql('query TrafficNow { services(range: { last: "5m" }) { service } }')).errors).toBeUndefined();
    expect((await gw.graphql('query TrafficNow { services(range: { last: "5m" }) { service } }')).errors).toBeUndefined();
    const invalid = await gw.graphql('query Typo { servicez(range: { last: "5m" }) { service } }');
    expect(invalid.errors?.length).toBeGreaterThan(0);
    // Over the cost limit (graphql-armor): refused while validating.
    const tooCostly = await gw.graphql('query TooMany { recentLogs(first: 100000) { edges { node { id } } } }');
    expect(tooCostly.errors?.length).toBeGreaterThan(0);
    // Valid, but the resolver refuses the range: executed, with an error.
    const failing = await gw.graphql('query BadRange { services(range: { last: "3 fortnights" }) { service } }');
    expect(failing.errors?.length).toBeGreaterThan(0);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('logpulse_graphql_operations_total', { operation: 'TrafficNow', type: 'query', outcome: 'ok' })).toBe(2);
    expect(delta('logpulse_graphql_operations_total', { operation: 'TooMany', type: 'query', outcome: 'invalid' })).toBe(1);
    expect(delta('logpulse_graphql_operations_total', { operation: 'BadRange', type: 'query', outcome: 'error' })).toBe(1);
    expect(delta('logpulse_graphql_operations_total', { operation: 'Typo', type: 'query', outcome: 'invalid' })).toBe(1);
    expect(delta('logpulse_graphql_operation_duration_seconds_count', { operation: 'TrafficNow', type: 'query' })).toBe(2);
  });

  it('shows live subscribers while a logStream subscription is open', async () => {
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Tail { logStream { dropped logs { id } } }' }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await waitFor('a subscriber', async () => sample(await scrape(), 'logpulse_live_subscribers', { kind: 'subscribers' }) === 1);
    controller.abort();
    await waitFor('no subscriber', async () => sample(await scrape(), 'logpulse_live_subscribers', { kind: 'subscribers' }) === 0);
    expect(sample(await scrape(), 'logpulse_live_dropped_records_total')).toBe(0);
  });

  it('reports alert rules by state, evaluations, and deliveries by channel kind and status', async () => {
    const before = await scrape();
    // The shipped rules are disabled: no enabled rule in any state yet (the series exist, at 0).
    expect(before).toMatch(/^logpulse_alert_rules\{state="firing"\} 0$/m);
    // This lone replica takes the evaluator lease on its first tick.
    await waitFor('the evaluator lease', async () => sample(await scrape(), 'logpulse_alert_evaluator_leader') === 1);
    const gql = (query: string, variables?: Record<string, unknown>) =>
      gw.graphql(query, variables) as Promise<{ data?: Record<string, { id: string }>; errors?: unknown }>;
    const good = await gql(
      `mutation($url: String!, $s: String!) { createAlertChannel(input: {name: "m-hook", kind: WEBHOOK, target: $url, secret: $s}) { id } }`,
      {
        url: hook.url,
        s: HOOK_SECRET,
      },
    );
    const dead = await gql(
      `mutation { createAlertChannel(input: {name: "m-dead", kind: SLACK, target: "http://127.0.0.1:9/hook"}) { id } }`,
    );
    // A Slack-compatible receiver (signed too, since the channel has a secret).
    const slack = await gql(
      `mutation($url: String!, $s: String!) { createAlertChannel(input: {name: "m-slack", kind: SLACK, target: $url, secret: $s}) { id } }`,
      { url: slackHook.url, s: HOOK_SECRET },
    );
    const channelIds = [good.data!.createAlertChannel!.id, dead.data!.createAlertChannel!.id, slack.data!.createAlertChannel!.id];
    const fires = {
      name: 'm-5xx',
      kind: 'SERVER_ERROR_RATE',
      threshold: 0.1,
      service: 'alerted',
      windowSeconds: 300,
      intervalSeconds: 1,
      minRequests: 5,
      channelIds,
    };
    expect(
      (await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`, { input: fires })).errors,
    ).toBeUndefined();
    // Waits `for` 10 minutes: pending the whole test.
    const waits = { ...fires, name: 'm-pending', forSeconds: 600, channelIds: [] };
    expect(
      (await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`, { input: waits })).errors,
    ).toBeUndefined();

    hook.failNext(1);
    const records = Array.from({ length: 10 }, (_, i) => record('alerted', `/api/pay/${i}`, 503));
    expect((await gw.ingest(jsonLines(records))).status).toBe(200);

    const done = (text: string) =>
      sample(text, 'logpulse_alert_deliveries_total', { channel_kind: 'webhook', status: 'sent' }) === 1 &&
      sample(text, 'logpulse_alert_deliveries_total', { channel_kind: 'slack', status: 'sent' }) === 1 &&
      sample(text, 'logpulse_alert_deliveries_total', { channel_kind: 'slack', status: 'failed' }) === 1;
    await waitFor('both deliveries to settle', async () => done(await scrape()), 15_000);
    const text = await scrape();
    expect(sample(text, 'logpulse_alert_rules', { state: 'firing' })).toBe(1);
    expect(sample(text, 'logpulse_alert_rules', { state: 'pending' })).toBe(1);
    // The receiver refused the first attempt; the dead channel was retried once, then given up.
    expect(sample(text, 'logpulse_alert_deliveries_total', { channel_kind: 'webhook', status: 'retrying' })).toBe(1);
    expect(sample(text, 'logpulse_alert_deliveries_total', { channel_kind: 'slack', status: 'retrying' })).toBe(1);
    expect(sample(text, 'logpulse_alert_evaluations_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'logpulse_alert_evaluations_total', { outcome: 'error' })).toBe(0);
    expect(sample(text, 'logpulse_alert_evaluation_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(hook.accepted.filter((r) => r.kind === 'firing')).toHaveLength(1);
    // Slack's incoming-webhook format: text plus an attachment.
    expect(slackHook.accepted).toHaveLength(1);
    expect(slackHook.accepted[0]!.body).toMatchObject({ text: expect.stringContaining('m-5xx'), attachments: [expect.anything()] });
  });

  it('counts model answers and their tokens', async () => {
    await gw.ingest(jsonLines([record('svc-a'), record('svc-a', '/api/orders', 500)]), {}, '?service=svc-a');
    const before = await scrape();
    stub.script(completion(insightJson(), { prompt_tokens: 900, completion_tokens: 120, total_tokens: 1020 }));
    const analysis = await gw.graphql('mutation Analyze { analyzeRecentLogs(windowMinutes: 5) { provider } }');
    expect(analysis).toEqual({ data: { analyzeRecentLogs: { provider: 'openai' } } });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('logpulse_ai_model_answers_total', { feature: 'analysis', model: 'stub-model' })).toBe(1);
    expect(delta('logpulse_ai_tokens_total', { feature: 'analysis', kind: 'prompt' })).toBe(900);
    expect(delta('logpulse_ai_tokens_total', { feature: 'analysis', kind: 'completion' })).toBe(120);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('answers loopback peers, and nobody once a proxy is trusted (every peer would look local)', async () => {
    const local = await startTestGateway('postgres', { env: { INGEST_RATE_LIMIT_PER_SECOND: '0.01', INGEST_RATE_LIMIT_BURST: '1' } });
    const proxied = await startTestGateway('postgres', { env: { TRUST_PROXY_HOPS: '1' } });
    try {
      // The per-address limit turns the second request away before the handler: counted as refused.
      expect((await local.ingest(jsonLines([record('svc-a')]))).status).toBe(200);
      expect((await local.ingest(jsonLines([record('svc-a')]))).status).toBe(429);
      const scraped = await fetch(`${local.url}/metrics`);
      expect(scraped.status).toBe(200);
      expect(sample(await scraped.text(), 'logpulse_ingest_refused_total', { reason: 'rate_limited' })).toBe(1);
      const refused = await fetch(`${proxied.url}/metrics`);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: expect.stringContaining('METRICS_TOKEN') });
    } finally {
      await Promise.all([local.close(), proxied.close()]);
    }
  });
});
