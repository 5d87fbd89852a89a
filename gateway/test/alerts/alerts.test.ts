import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { waitFor } from '@logpulse/testkit/wait-for';
import { subscribeSse } from '@logpulse/testkit/sse';
import { startSmtpServer, startWebhookReceiver, type WebhookReceiver } from './receivers.ts';
import { DEMO_ALERT_RULE, ensureDemoAlertRule } from '@logpulse/target-server/demo-alert-rule';
import { buildIncident, INCIDENT_ENDPOINT } from '@logpulse/testkit/incident';

const SECRET = 'whsec-0123456789abcdef-logpulse';
const SMTP_PASSWORD = 'smtp-password-123';

/** Short intervals so an incident fires and resolves in seconds. */
const FAST = {
  ALERTS_TICK_MS: '100',
  ALERTS_LEASE_MS: '1000',
  ALERTS_RETRY_BASE_MS: '100',
  ALERTS_RETRY_MAX_MS: '300',
  ALERTS_SEND_TIMEOUT_MS: '2000',
  PUBLIC_URL: 'https://logpulse.example.com',
};

function records(service: string, n: number, status: (i: number) => number) {
  const now = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({
    timestamp: now,
    path: `/api/orders/${i}`,
    method: 'GET',
    status: status(i),
    latency_ms: 20 + (i % 7),
    user_agent: 'alerts-test',
    ip_address: '10.0.0.1',
    service,
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of ad-hoc query shapes
type Gql = { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, unknown> }[] };

describe.each(STORAGE_MODES)('alerting (%s)', (mode) => {
  let gateway: TestGateway;
  let hook: WebhookReceiver;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    hook = await startWebhookReceiver(SECRET);
    smtp = await startSmtpServer();
    gateway = await startTestGateway(mode, {
      env: {
        ...FAST,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SMTP_USER: 'alerts',
        SMTP_PASSWORD,
        SMTP_FROM: 'logpulse <alerts@example.com>',
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await hook?.close();
    await smtp?.close();
  });

  const gql = (query: string, variables?: Record<string, unknown>) => gateway.graphql(query, variables) as Promise<Gql>;

  it('refuses bad rule, channel and silence input with BAD_USER_INPUT', async () => {
    const create = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', kind: 'SERVER_ERROR_RATE', threshold: 5 }, /threshold: a rate threshold is a ratio/],
      [{ name: 'x', kind: 'LATENCY_P95', threshold: 100, windowSeconds: 5 }, /windowSeconds: must be at least 60/],
      [{ name: 'x', kind: 'LATENCY_P95', threshold: 100, channelIds: ['00000000-0000-4000-8000-00000000dead'] }, /channelIds: no channel/],
      [{ name: 'High 5xx rate', kind: 'LATENCY_P95', threshold: 100 }, /a rule named "High 5xx rate" exists already/],
    ];
    for (const [input, message] of cases) {
      const res = await gql(create, { input });
      expect(res.errors?.[0]?.message).toMatch(message);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const channel = await gql(`mutation { createAlertChannel(input: {name: "h", kind: WEBHOOK, target: "file:///etc/passwd"}) { id } }`);
    expect(channel.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const update = await gql(`mutation { updateAlertRule(id: "not-an-id", input: {}) { id } }`);
    expect(update.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const silence = await gql(
      `mutation { createAlertSilence(input: {endsAt: "2020-01-01T00:00:00Z", labels: [{name: "team", value: "a"}]}) { id } }`,
    );
    expect(silence.errors?.[0]?.message).toMatch(/endsAt: must be in the future/);
  });

  it('answers NOT_FOUND for a well-formed id of no rule, through the one error mapping', async () => {
    const missing = '00000000-0000-4000-8000-00000000beef';
    const update = await gql(`mutation($id: ID!) { updateAlertRule(id: $id, input: {enabled: false}) { id } }`, { id: missing });
    expect(update.errors?.[0]).toMatchObject({ message: `no rule ${missing}`, extensions: { code: 'NOT_FOUND' } });
    const test = await gql(`mutation($id: ID!) { testAlertRule(id: $id) { ok } }`, { id: missing });
    expect(test.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("the `npm start` example rule fires on the scenario page's high-errors traffic", async () => {
    expect(await ensureDemoAlertRule(gateway.url)).toBe('created');
    expect(await ensureDemoAlertRule(gateway.url)).toBe('exists');
    const rules = await gql(`{ alertRules { id name enabled } }`);
    const demo = rules.data!.alertRules.find((r: { name: string }) => r.name === DEMO_ALERT_RULE.name);
    expect(demo.enabled).toBe(true);
    // Evaluated every second here (the shipped rule: 15 s, for 30 s); the condition is the shipped one.
    await gql(`mutation($id: ID!) { updateAlertRule(id: $id, input: {intervalSeconds: 1, forSeconds: 0}) { id } }`, { id: demo.id });
    // high-errors: 30 % of requests fail, half 404, half 500.
    await gateway.ingest(jsonLines(records('target-server', 200, (i) => (i % 10 < 3 ? (i % 2 ? 404 : 500) : 200))));
    await waitFor('the demo rule to fire', async () =>
      (await gql(`{ alerts(state: [FIRING]) { rule { name } } }`)).data?.alerts.some(
        (a: { rule: { name: string } }) => a.rule.name === DEMO_ALERT_RULE.name,
      ),
    );
    await gql(`mutation($id: ID!) { deleteAlertRule(id: $id) }`, { id: demo.id });
  });

  it('ships the default rules disabled', async () => {
    const res = await gql(`{ alertRules { name enabled kind } }`);
    expect(res.data?.alertRules).toEqual(
      expect.arrayContaining([
        { name: 'High 5xx rate', enabled: false, kind: 'SERVER_ERROR_RATE' },
        { name: 'Slow p95 latency', enabled: false, kind: 'LATENCY_P95' },
        { name: 'No data', enabled: false, kind: 'NO_DATA' },
      ]),
    );
  });

  it('an incident through ingest fires, notifies once per transition (after retries), then resolves', async () => {
    const webhook = await gql(
      `mutation($secret: String!, $url: String!) { createAlertChannel(input: {name: "ops hook", kind: WEBHOOK, target: $url, secret: $secret}) { id hasSecret } }`,
      {
        secret: SECRET,
        url: hook.url,
      },
    );
    const email = await gql(`mutation { createAlertChannel(input: {name: "ops mail", kind: EMAIL, target: "oncall@example.com"}) { id } }`);
    const channelIds = [webhook.data!.createAlertChannel.id, email.data!.createAlertChannel.id];
    expect(webhook.data!.createAlertChannel.hasSecret).toBe(true);

    const rule = await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id condition } }`, {
      input: {
        name: 'shop 5xx',
        kind: 'SERVER_ERROR_RATE',
        threshold: 0.2,
        resolveThreshold: 0.1,
        service: 'shop',
        windowSeconds: 120,
        forSeconds: 1,
        intervalSeconds: 1,
        minRequests: 10,
        severity: 'CRITICAL',
        labels: [{ name: 'team', value: 'payments' }],
        channelIds,
      },
    });
    expect(rule.errors).toBeUndefined();
    const ruleId: string = rule.data!.createAlertRule.id;
    expect(rule.data!.createAlertRule.condition).toBe('5xx rate > 20.0 % over 2m (shop)');

    const events = await subscribeSse<{ alertEvents: { kind: string; ruleName: string } }>(
      gateway.url,
      `subscription($ruleId: ID) { alertEvents(ruleId: $ruleId) { kind ruleName } }`,
      { ruleId },
    );
    // The receiver fails twice: the firing notification arrives on the third attempt.
    hook.failNext(2);
    expect((await gateway.ingest(jsonLines(records('shop', 50, (i) => (i < 30 ? 503 : 200))))).status).toBe(200);

    await waitFor('the alert to fire', async () =>
      (await gql(`{ alerts(state: [FIRING]) { rule { id } } }`)).data?.alerts.some((a: { rule: { id: string } }) => a.rule.id === ruleId),
    );
    await waitFor('the firing webhook', () => hook.accepted.some((r) => r.kind === 'firing'));
    await waitFor('the firing email', () => smtp.mails.length >= 1);
    await events.until(() => events.events.some((e) => e.alertEvents.kind === 'FIRING'));

    const firing = hook.accepted.find((r) => r.kind === 'firing')!.body as { links: { logs: string } };
    expect(firing).toMatchObject({
      version: 1,
      kind: 'firing',
      value: 0.6,
      threshold: 0.2,
      rule: { id: ruleId, name: 'shop 5xx', severity: 'critical', labels: { team: 'payments' }, service: 'shop' },
    });
    expect(firing.links.logs).toMatch(/^https:\/\/logpulse\.example\.com\/logs\?from=.*service=shop/);
    expect(smtp.mails[0]!.to).toEqual(['oncall@example.com']);
    expect(smtp.mails[0]!.raw).toMatch(/Subject: \[logpulse FIRING\] shop 5xx/);

    // The offline AI analyst answers "what is firing and why" from the alert state and the rule's own scope.
    const chat = await gql(`mutation($m: String!) { chat(message: $m) { answer provider refused citations { analysis } } }`, {
      m: 'What is firing and why?',
    });
    expect(chat.data!.chat).toMatchObject({ provider: 'offline', refused: false });
    expect(chat.data!.chat.answer).toMatch(/alerts? firing/);
    expect(chat.data!.chat.answer).toContain('[CRITICAL] shop 5xx: 60.0 % (5xx rate > 20.0 % over 2m (shop))');
    expect(chat.data!.chat.answer).toMatch(/why: 30 responses 503, mostly from GET \/api\/orders\/:id/);
    expect(chat.data!.chat.citations.map((c: { analysis: string }) => c.analysis)).toEqual(['alerts', 'statusEndpointTop']);
    const ko = await gql(`mutation($m: String!) { chat(message: $m) { answer } }`, { m: '지금 발생 중인 알림은 왜 생겼어?' });
    expect(ko.data!.chat.answer).toMatch(/발생 중인 알림 \d+건/);
    // So does the offline analysis of the last minutes: the firing alert leads its problems.
    const analysis = await gql(`mutation { analyzeRecentLogs(windowMinutes: 5, service: "shop") { provider severity summary problems } }`);
    expect(analysis.errors).toBeUndefined();
    expect(analysis.data!.analyzeRecentLogs).toMatchObject({ provider: 'offline', severity: 'CRITICAL' });
    expect(analysis.data!.analyzeRecentLogs.summary).toMatch(/^1 alert firing now\. /);
    expect(analysis.data!.analyzeRecentLogs.problems[0]).toBe(
      'Alert firing: [CRITICAL] shop 5xx: 60.0 % (5xx rate > 20.0 % over 2m (shop)).',
    );

    // Recovery: enough good requests bring the 5xx rate below the resolve threshold (10 %).
    expect((await gateway.ingest(jsonLines(records('shop', 450, () => 200)))).status).toBe(200);
    await waitFor('the resolved webhook', () => hook.accepted.some((r) => r.kind === 'resolved'));
    await waitFor('the resolved email', () => smtp.mails.length >= 2);
    await events.until(() => events.events.some((e) => e.alertEvents.kind === 'RESOLVED'));
    events.close();

    // A few more evaluations pass: nothing more is sent.
    const before = hook.requests;
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.requests).toBe(before);
    expect(hook.accepted.map((r) => r.kind)).toEqual(['firing', 'resolved']);
    expect(new Set(hook.accepted.map((r) => r.deliveryId)).size).toBe(2);
    expect(hook.badSignatures).toBe(0);
    expect(smtp.mails.map((m) => /Subject: (.*)/.exec(m.raw)?.[1])).toEqual(['[logpulse FIRING] shop 5xx', '[logpulse RESOLVED] shop 5xx']);

    const history = await gql(
      `query($ruleId: ID) { alertHistory(range: {last: "1h"}, ruleId: $ruleId) { kind value deliveries { channelName status attempts lastError } } }`,
      { ruleId },
    );
    const kinds = history.data!.alertHistory.map((e: { kind: string }) => e.kind).reverse();
    expect(kinds).toEqual(['PENDING', 'FIRING', 'RESOLVED']);
    const firingEvent = history.data!.alertHistory.find((e: { kind: string }) => e.kind === 'FIRING');
    const hookDelivery = firingEvent.deliveries.find((d: { channelName: string }) => d.channelName === 'ops hook');
    expect(hookDelivery).toMatchObject({ status: 'SENT', attempts: 3, lastError: null });
    expect(firingEvent.deliveries.find((d: { channelName: string }) => d.channelName === 'ops mail')).toMatchObject({
      status: 'SENT',
      attempts: 1,
    });

    const state = await gql(`{ alerts(state: [RESOLVED]) { rule { name } valueText } }`);
    expect(state.data!.alerts).toEqual([{ rule: { name: 'shop 5xx' }, valueText: '6.0 %' }]);
  });

  it('never returns secrets', async () => {
    const text = JSON.stringify(await gql(`{ alertChannels { name kind target hasSecret } }`));
    expect(text).toContain('ops hook');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SMTP_PASSWORD);
  });

  it('sends a test notification on demand', async () => {
    const channels = await gql(`{ alertChannels { id name } }`);
    const id = channels.data!.alertChannels.find((c: { name: string }) => c.name === 'ops hook').id;
    const res = await gql(`mutation($id: ID!) { testAlertChannel(id: $id) { ok responseStatus error channel { name } } }`, { id });
    expect(res.data!.testAlertChannel).toEqual({ ok: true, responseStatus: 204, error: null, channel: { name: 'ops hook' } });
    expect(hook.accepted.at(-1)!.kind).toBe('test');
  });

  it('records silenced and muted notifications without sending them', async () => {
    const channels = await gql(`{ alertChannels { id name } }`);
    const id = channels.data!.alertChannels.find((c: { name: string }) => c.name === 'ops hook').id;
    const silence = await gql(
      `mutation { createAlertSilence(input: {labels: [{name: "team", value: "stock"}], endsAt: "${new Date(Date.now() + 3_600_000).toISOString()}", comment: "maintenance"}) { id active } }`,
    );
    expect(silence.data!.createAlertSilence.active).toBe(true);
    const rule = await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`, {
      input: {
        name: 'inventory quiet',
        kind: 'NO_DATA',
        service: 'inventory',
        windowSeconds: 60,
        intervalSeconds: 1,
        labels: [{ name: 'team', value: 'stock' }],
        channelIds: [id],
      },
    });
    expect(rule.errors).toBeUndefined();
    const ruleId = rule.data!.createAlertRule.id;
    const sent = hook.accepted.length;
    await waitFor('the no-data alert to fire', async () => {
      const h = await gql(
        `query($ruleId: ID) { alertHistory(range: {last: "1h"}, ruleId: $ruleId, kinds: [FIRING]) { deliveries { status } } }`,
        { ruleId },
      );
      return h.data!.alertHistory[0]?.deliveries[0]?.status === 'SILENCED';
    });
    expect(hook.accepted.length).toBe(sent);

    // Muted: evaluated and recorded, nothing sent. The same rule fires again after a reset.
    const muted = await gql(`mutation($id: ID!) { updateAlertRule(id: $id, input: {muted: true, service: "inventory-2"}) { muted } }`, {
      id: ruleId,
    });
    expect(muted.data!.updateAlertRule.muted).toBe(true);
    await waitFor('the muted alert to fire', async () => {
      const h = await gql(
        `query($ruleId: ID) { alertHistory(range: {last: "1h"}, ruleId: $ruleId, kinds: [FIRING]) { deliveries { status } } }`,
        { ruleId },
      );
      return h.data!.alertHistory.length === 2 && h.data!.alertHistory[0].deliveries[0]?.status === 'MUTED';
    });
    expect(hook.accepted.length).toBe(sent);
    expect((await gql(`mutation($id: ID!) { deleteAlertRule(id: $id) }`, { id: ruleId })).data!.deleteAlertRule).toBe(true);
  });

  it('request rate rules fire above and below their thresholds (requests per minute)', async () => {
    const create = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id condition } }`;
    const common = { service: 'burst', windowSeconds: 60, intervalSeconds: 1 };
    const above = await gql(create, { input: { ...common, name: 'burst busy', kind: 'REQUEST_RATE_ABOVE', threshold: 30 } });
    const below = await gql(create, { input: { ...common, name: 'burst quiet', kind: 'REQUEST_RATE_BELOW', threshold: 1000 } });
    const never = await gql(create, { input: { ...common, name: 'burst flood', kind: 'REQUEST_RATE_ABOVE', threshold: 100_000 } });
    expect(above.data!.createAlertRule.condition).toBe('request rate > 30.0 req/min over 1m (burst)');
    expect((await gateway.ingest(jsonLines(records('burst', 100, () => 200)))).status).toBe(200);
    const firingNames = async () =>
      ((await gql(`{ alerts(state: [FIRING]) { rule { name } } }`)).data?.alerts as { rule: { name: string } }[]).map((a) => a.rule.name);
    await waitFor('both request rate rules to fire', async () => {
      const names = await firingNames();
      return names.includes('burst busy') && names.includes('burst quiet');
    });
    expect(await firingNames()).not.toContain('burst flood');
    for (const r of [above, below, never]) await gql(`mutation($id: ID!) { deleteAlertRule(id: $id) }`, { id: r.data!.createAlertRule.id });
  });

  it('an ANOMALY rule fires on what the anomalies detector finds in its window', async () => {
    // Two hours of steady checkout traffic, then a 3-minute burst of 5xx ending 5 minutes ago.
    const incident = buildIncident(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    for (let i = 0; i < incident.records.length; i += 500) {
      expect((await gateway.ingest(jsonLines(incident.records.slice(i, i + 500)))).status).toBe(200);
    }
    const rule = await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id condition } }`, {
      input: {
        name: 'checkout anomalies',
        kind: 'ANOMALY',
        anomalyKind: 'ERROR_RATE',
        minSeverity: 'LOW',
        service: INCIDENT_ENDPOINT.service,
        windowSeconds: 900,
        intervalSeconds: 1,
      },
    });
    expect(rule.errors).toBeUndefined();
    expect(rule.data!.createAlertRule.condition).toBe('any ERROR_RATE anomaly at severity ≥ LOW in 15m (shop-api)');
    await waitFor('the anomaly rule to fire', async () =>
      (await gql(`{ alerts(state: [FIRING]) { rule { name } valueText } }`)).data?.alerts.some(
        (a: { rule: { name: string }; valueText: string }) => a.rule.name === 'checkout anomalies' && Number(a.valueText) >= 1,
      ),
    );
    const bad = await gql(`mutation { createAlertRule(input: {name: "x", kind: ANOMALY, threshold: 3}) { id } }`);
    expect(bad.errors?.[0]?.message).toBe('threshold: anomaly takes no threshold (omit it or pass 0)');
  });
});
