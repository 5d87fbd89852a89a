import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { STORAGE_MODES } from '../support/databases.ts';
import { waitFor } from '@logpulse/testkit/wait-for';
import { startWebhookReceiver, type WebhookReceiver } from './receivers.ts';

const SECRET = 'whsec-lag-0123456789abcdef';

/** Short intervals so the rule is judged every second. */
const FAST = { ALERTS_TICK_MS: '100', ALERTS_LEASE_MS: '1000' };

/** `n` records of `service` stamped `ageMs` before now, each distinct (request_id). */
function records(service: string, n: number, ageMs: number, tag: string) {
  const timestamp = new Date(Date.now() - ageMs).toISOString();
  return Array.from({ length: n }, (_, i) => ({
    timestamp,
    path: `/api/items/${i}`,
    method: 'GET',
    status: 200,
    latency_ms: 12,
    request_id: `${tag}-${i}`,
    service,
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of ad-hoc query shapes
type Gql = { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, unknown> }[] };

describe.each(STORAGE_MODES)('ingest lag alerts (%s)', (mode) => {
  let gateway: TestGateway;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    hook = await startWebhookReceiver(SECRET);
    gateway = await startTestGateway(mode, { env: FAST });
  });
  afterAll(async () => {
    await gateway?.close();
    await hook?.close();
  });
  const gql = (query: string, variables?: Record<string, unknown>) => gateway.graphql(query, variables) as Promise<Gql>;
  const stateOf = async (id: string) =>
    (
      (await gql(`{ alerts { state value valueText lastEvaluatedAt rule { id } } }`)).data?.alerts as {
        state: string;
        value: number | null;
        valueText: string;
        lastEvaluatedAt: string | null;
        rule: { id: string };
      }[]
    ).find((a) => a.rule.id === id);

  it('refuses bad ingest lag thresholds and filters with BAD_USER_INPUT', async () => {
    const create = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', kind: 'INGEST_LAG', threshold: -5 }, /threshold: an ingest lag threshold is in seconds/],
      [{ name: 'x', kind: 'INGEST_LAG', threshold: 100_000 }, /threshold: an ingest lag threshold is in seconds/],
      [{ name: 'x', kind: 'INGEST_LAG', threshold: 60, route: '/api/pay' }, /route: ingest_lag rules filter by service only/],
    ];
    for (const [input, message] of cases) {
      const res = await gql(create, { input });
      expect(res.errors?.[0]?.message).toMatch(message);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('late records fire an ingest lag rule; fresh records resolve it', async () => {
    const channel = await gql(
      `mutation($url: String!, $s: String!) { createAlertChannel(input: {name: "lag hook", kind: WEBHOOK, target: $url, secret: $s}) { id } }`,
      {
        url: hook.url,
        s: SECRET,
      },
    );
    const rule = await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id condition } }`, {
      input: {
        name: 'late shipper',
        kind: 'INGEST_LAG',
        threshold: 120,
        resolveThreshold: 30,
        service: 'late',
        windowSeconds: 300,
        intervalSeconds: 1,
        minRequests: 10,
        channelIds: [channel.data!.createAlertChannel.id],
      },
    });
    expect(rule.errors).toBeUndefined();
    const id: string = rule.data!.createAlertRule.id;
    expect(rule.data!.createAlertRule.condition).toBe('p95 ingest lag > 120 s over 5m (late)');

    // testAlertRule: a sample notification in the rule's unit, sent now and not recorded.
    const test = await gql(`mutation($id: ID!) { testAlertRule(id: $id) { ok channel { name } } }`, { id });
    expect(test.data!.testAlertRule).toEqual([{ ok: true, channel: { name: 'lag hook' } }]);
    expect(hook.accepted.at(-1)!.body).toMatchObject({
      kind: 'test',
      summary: '[TEST] late shipper: a sample notification (value 180 s); nothing is firing',
    });

    // Fresh records of another service and a few old ones of this one are not enough to fire.
    expect((await gateway.ingest(jsonLines(records('other', 50, 20 * 60_000, 'other')))).status).toBe(200);
    expect((await gateway.ingest(jsonLines(records('late', 5, 20 * 60_000, 'few')))).status).toBe(200);
    const sent = Date.now();
    await waitFor('two evaluations since', async () => Date.parse((await stateOf(id))?.lastEvaluatedAt ?? '0') > sent + 1000);
    expect((await stateOf(id))?.state).toBe('INACTIVE');

    // A shipper catching up: records stamped 10 minutes ago arrive now.
    expect((await gateway.ingest(jsonLines(records('late', 20, 10 * 60_000, 'late')))).status).toBe(200);
    await waitFor('the ingest lag alert to fire', async () => (await stateOf(id))?.state === 'FIRING');
    const firing = (await stateOf(id))!;
    // p95 of 25 records, all about 10 or 20 minutes late (the histogram is within 4 %).
    expect(firing.value).toBeGreaterThan(600 * 0.96);
    expect(firing.value).toBeLessThan(1200 * 1.04);
    expect(firing.valueText).toMatch(/^\d+ s$/);

    // Caught up: 1000 records on time bring the p95 under the resolve threshold.
    for (let i = 0; i < 2; i++) expect((await gateway.ingest(jsonLines(records('late', 500, 0, `fresh${i}`)))).status).toBe(200);
    await waitFor('the ingest lag alert to resolve', async () => (await stateOf(id))?.state === 'RESOLVED');
    expect((await stateOf(id))!.value).toBeLessThan(30);

    await waitFor('the resolved webhook', () => hook.accepted.some((r) => r.kind === 'resolved'));
    expect(hook.accepted.map((r) => r.kind)).toEqual(['test', 'firing', 'resolved']);
    expect(hook.accepted[1]!.body).toMatchObject({ threshold: 120, rule: { name: 'late shipper', service: 'late' } });
    const history = await gql(`query($id: ID) { alertHistory(range: {last: "1h"}, ruleId: $id) { kind summary } }`, { id });
    expect(history.errors).toBeUndefined();
    const kinds = (history.data!.alertHistory as { kind: string }[]).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['FIRING', 'RESOLVED']));
    expect((history.data!.alertHistory as { kind: string; summary: string }[]).find((e) => e.kind === 'FIRING')!.summary).toMatch(
      /late shipper firing: p95 ingest lag \d+ s; condition p95 ingest lag > 120 s over 5m \(late\)/,
    );
  });
});
