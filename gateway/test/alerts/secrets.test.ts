// Webhook secrets and the SMTP password are write-only: used to sign and to log in, never
// returned by the API nor written to the log, even at debug level and when sending fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '@logpulse/testkit/wait-for';
import { startSmtpServer, startWebhookReceiver, type WebhookReceiver } from './receivers.ts';

const WEBHOOK_SECRET = 'whsec-NEVER-SHOWN-7f3a9c1e5b';
const SMTP_PASSWORD = 'smtp-NEVER-SHOWN-2d8e4a6c';

describe('alert channel secrets', () => {
  let gw: TestGateway;
  let hook: WebhookReceiver;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const logs: string[] = [];

  beforeAll(async () => {
    hook = await startWebhookReceiver(WEBHOOK_SECRET);
    smtp = await startSmtpServer();
    gw = await startTestGateway('postgres', {
      logs,
      env: {
        ALERTS_TICK_MS: '100',
        ALERTS_RETRY_BASE_MS: '100',
        ALERTS_MAX_ATTEMPTS: '2',
        // The test SMTP server accepts another password: every email fails to log in.
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SMTP_USER: 'alerts',
        SMTP_PASSWORD,
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await hook?.close();
    await smtp?.close();
  });

  const graphql = (query: string, variables: Record<string, unknown> = {}) => gw.graphqlText(query, variables);

  it('signs with the secret and logs in with the password, but neither is ever returned or logged', async () => {
    const webhook = JSON.parse(
      await graphql(
        `
          mutation ($u: String!, $s: String!) {
            createAlertChannel(input: { name: "hook", kind: WEBHOOK, target: $u, secret: $s }) {
              id
              hasSecret
            }
          }
        `,
        {
          u: hook.url,
          s: WEBHOOK_SECRET,
        },
      ),
    );
    const email = JSON.parse(
      await graphql(`
        mutation {
          createAlertChannel(input: { name: "mail", kind: EMAIL, target: "oncall@example.com" }) {
            id
          }
        }
      `),
    );
    const channelIds = [webhook.data.createAlertChannel.id, email.data.createAlertChannel.id];
    const texts = [
      await graphql(`
        {
          alertChannels {
            id
            name
            kind
            target
            hasSecret
            createdAt
            updatedAt
          }
        }
      `),
      await graphql(
        `
          mutation ($id: ID!) {
            testAlertChannel(id: $id) {
              ok
              error
              responseStatus
            }
          }
        `,
        { id: channelIds[1] },
      ),
      await graphql(
        `
          mutation ($id: ID!) {
            updateAlertChannel(id: $id, input: { name: "hook 2" }) {
              name
              hasSecret
            }
          }
        `,
        { id: channelIds[0] },
      ),
    ];
    expect(JSON.parse(texts[1]!).data.testAlertChannel.ok).toBe(false);
    expect(JSON.parse(texts[2]!).data.updateAlertChannel).toEqual({ name: 'hook 2', hasSecret: true });

    await graphql(
      `
        mutation ($input: AlertRuleInput!) {
          createAlertRule(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          name: 'any 5xx',
          kind: 'SERVER_ERROR_RATE',
          threshold: 0.1,
          windowSeconds: 120,
          intervalSeconds: 1,
          minRequests: 5,
          channelIds,
        },
      },
    );
    const now = new Date().toISOString();
    const records = Array.from({ length: 10 }, (_, i) => ({
      timestamp: now,
      path: '/x',
      method: 'GET',
      status: i < 5 ? 500 : 200,
      latency_ms: 5,
      user_agent: 't',
      ip_address: '10.0.0.9',
      request_id: `${now}-${i}`,
    }));
    await gw.ingest(jsonLines(records));
    await waitFor('the signed webhook', () => hook.accepted.some((r) => r.kind === 'firing'));
    await waitFor('the email to fail for good', async () =>
      (
        await graphql(`
          {
            alertHistory(range: { last: "1h" }) {
              deliveries {
                status
              }
            }
          }
        `)
      ).includes('FAILED'),
    );
    const history = await graphql(`
      {
        alertHistory(range: { last: "1h" }) {
          deliveries {
            channelName
            status
            attempts
            lastError
          }
        }
      }
    `);
    expect(history).toMatch(/SMTP: Invalid login/);
    expect(logs.join('')).toContain('alert notification failed');

    for (const text of [...texts, history, ...logs]) {
      expect(text).not.toContain(WEBHOOK_SECRET);
      expect(text).not.toContain(SMTP_PASSWORD);
    }
    expect(hook.badSignatures).toBe(0);
  });
});
