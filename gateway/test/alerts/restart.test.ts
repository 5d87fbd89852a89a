// Embedded mode (PGlite, one process): the same evaluator and outbox code path. Alert state and
// undelivered notifications survive a restart: the new process carries on, sends what is owed
// exactly once, and keeps reminding while the alert fires.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '@logpulse/testkit/wait-for';
import { startWebhookReceiver } from './receivers.ts';

const SECRET = 'whsec-restart-0123456789abcdef';
// Retries every 100-200 ms: 50 attempts outlast the receiver's outage and the restart.
const FAST = {
  ALERTS_TICK_MS: '100',
  ALERTS_LEASE_MS: '1000',
  ALERTS_RETRY_BASE_MS: '100',
  ALERTS_RETRY_MAX_MS: '200',
  ALERTS_MAX_ATTEMPTS: '50',
};
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ad-hoc query shapes
type Gql = { data?: Record<string, any>; errors?: unknown[] };

describe('alerting across a restart (embedded PGlite)', () => {
  it('keeps the state, delivers the owed notification once after the restart, then reminds', async () => {
    const storage = await createTestStorage('pglite');
    cleanups.push(() => storage.drop());
    const hook = await startWebhookReceiver(SECRET);
    cleanups.push(() => hook.close());
    hook.failNext(1_000_000);

    let gateway: TestGateway = await startTestGateway('pglite', { storage, keepStorage: true, env: FAST });
    const gql = async (query: string, variables?: Record<string, unknown>) => (await gateway.graphql(query, variables)) as Gql;
    const channel = await gql(
      `mutation($url: String!, $s: String!) { createAlertChannel(input: {name: "hook", kind: WEBHOOK, target: $url, secret: $s}) { id } }`,
      { url: hook.url, s: SECRET },
    );
    const rule = await gql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`, {
      input: {
        name: 'api p95',
        kind: 'LATENCY_P95',
        threshold: 500,
        service: 'api',
        windowSeconds: 120,
        intervalSeconds: 1,
        minRequests: 10,
        reminderSeconds: 4,
        channelIds: [channel.data!.createAlertChannel.id],
      },
    });
    expect(rule.errors).toBeUndefined();
    const now = new Date().toISOString();
    const slow = Array.from({ length: 40 }, (_, i) => ({
      timestamp: now,
      path: '/api/report',
      method: 'GET',
      status: 200,
      latency_ms: 900 + i,
      user_agent: 't',
      ip_address: '10.0.0.3',
      service: 'api',
    }));
    expect((await gateway.ingest(jsonLines(slow))).status).toBe(200);

    const firingQuery = `{ alerts(state: [FIRING]) { firingSince valueText } }`;
    await waitFor('the alert to fire', async () => (await gql(firingQuery)).data?.alerts.length === 1);
    await waitFor('failed attempts', () => hook.requests >= 2);
    const before = (await gql(firingQuery)).data!.alerts[0];
    await gateway.close();
    expect(hook.accepted).toEqual([]);

    hook.failNext(0);
    gateway = await startTestGateway('pglite', { storage, env: FAST });
    cleanups.push(() => gateway.close());
    await waitFor('the owed firing notification', () => hook.accepted.some((r) => r.kind === 'firing'));
    expect((await gql(firingQuery)).data!.alerts[0].firingSince).toBe(before.firingSince);
    await waitFor('a reminder', () => hook.accepted.some((r) => r.kind === 'reminder'), 15_000);
    expect(hook.accepted.filter((r) => r.kind === 'firing')).toHaveLength(1);
    const history = await gql(`{ alertHistory(range: {last: "1h"}, kinds: [FIRING]) { deliveries { status attempts } } }`);
    const delivery = history.data!.alertHistory[0].deliveries[0];
    expect(delivery.status).toBe('SENT');
    expect(delivery.attempts).toBeGreaterThan(2);
  });
});
