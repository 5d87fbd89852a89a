// Two gateway processes on one PostgreSQL database: exactly one evaluates, and when the leader
// is killed (SIGKILL, mid-incident) the other takes over; each transition is notified once.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestStorage } from '../support/databases.ts';
import { TEST_TOKEN, jsonLines } from '../support/gateway.ts';
import { waitFor } from '@logpulse/testkit/wait-for';
import { startGatewayProcess, type GatewayProcess } from '../hardening/support.ts';
import { startWebhookReceiver } from './receivers.ts';

const SECRET = 'whsec-failover-0123456789abcdef';
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const records = (n: number, status: (i: number) => number) => {
  const now = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({
    timestamp: now,
    path: '/api/pay',
    method: 'POST',
    status: status(i),
    latency_ms: 30,
    user_agent: 't',
    ip_address: '10.0.0.2',
    service: 'billing',
    // Distinct requests in one millisecond: the request id keeps them apart (identical lines are stored once).
    request_id: `${now}-${i}`,
  }));
};

async function graphql(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, { id: string }>; errors?: unknown[] };
}

const ingest = (url: string, body: string) =>
  fetch(`${url}/log/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson' },
    body,
  });

describe('alert evaluation across two replicas', () => {
  it('has one leader; killing it mid-incident still notifies firing and resolved exactly once each', async () => {
    const storage = await createTestStorage('postgres');
    cleanups.push(() => storage.drop());
    const hook = await startWebhookReceiver(SECRET);
    cleanups.push(() => hook.close());
    const env = {
      DATABASE_URL: storage.databaseUrl!,
      DATA_DIR: storage.dataDir,
      ALERTS_TICK_MS: '100',
      ALERTS_LEASE_MS: '1000',
      ALERTS_RETRY_BASE_MS: '100',
      ALERTS_RETRY_MAX_MS: '300',
    };
    const replicas: GatewayProcess[] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    for (const r of replicas) cleanups.push(() => r.stop());
    const db = new pg.Client({ connectionString: storage.databaseUrl });
    await db.connect();
    cleanups.push(() => db.end());
    const leaderPid = async () => {
      const { rows } = await db.query<{ holder: string }>('SELECT holder FROM alert_leader WHERE expires_at > now()');
      return rows[0] ? Number(rows[0].holder.split(':')[1]) : null;
    };

    const [a] = replicas as [GatewayProcess, GatewayProcess];
    const channel = await graphql(
      a.url,
      `
        mutation ($url: String!, $secret: String!) {
          createAlertChannel(input: { name: "hook", kind: WEBHOOK, target: $url, secret: $secret }) {
            id
          }
        }
      `,
      { url: hook.url, secret: SECRET },
    );
    const rule = await graphql(
      a.url,
      `
        mutation ($input: AlertRuleInput!) {
          createAlertRule(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          name: 'billing 5xx',
          kind: 'SERVER_ERROR_RATE',
          threshold: 0.2,
          resolveThreshold: 0.1,
          service: 'billing',
          windowSeconds: 120,
          intervalSeconds: 1,
          minRequests: 10,
          channelIds: [channel.data!.createAlertChannel!.id],
        },
      },
    );
    expect(rule.errors).toBeUndefined();

    await waitFor('a leader', async () => (await leaderPid()) !== null);
    const first = await leaderPid();
    const leading = replicas.find((r) => r.pid === first)!;
    const survivor = replicas.find((r) => r !== leading)!;
    expect(leading, `leader pid ${first} is one of the replicas`).toBeDefined();

    expect((await ingest(survivor.url, jsonLines(records(50, (i) => (i < 25 ? 500 : 200))))).status).toBe(200);
    await waitFor('the firing notification', () => hook.accepted.some((r) => r.kind === 'firing'));

    // Mid-incident: the leader dies without a chance to give its lease up.
    await leading.kill9();
    await waitFor('the survivor to lead', async () => (await leaderPid()) === survivor.pid, 10_000);

    expect((await ingest(survivor.url, jsonLines(records(500, () => 200)))).status).toBe(200);
    await waitFor('the resolved notification', () => hook.accepted.some((r) => r.kind === 'resolved'));
    await new Promise((r) => setTimeout(r, 500));

    expect(hook.accepted.map((r) => r.kind)).toEqual(['firing', 'resolved']);
    expect(hook.badSignatures).toBe(0);
    const { rows } = await db.query<{ kind: string; n: number }>(
      'SELECT kind, count(*)::int AS n FROM alert_events GROUP BY kind ORDER BY kind',
    );
    expect(rows).toEqual([
      { kind: 'firing', n: 1 },
      { kind: 'resolved', n: 1 },
    ]);
  });
});
