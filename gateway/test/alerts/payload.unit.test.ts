import { describe, expect, it } from 'vitest';
import { buildPayload, emailMessage, slackMessage } from '../../src/alerts/payload.ts';
import type { AlertEvent, AlertRule } from '../../src/domain/alert.ts';

const at = new Date('2026-12-05T22:00:00Z');
const rule: AlertRule = {
  id: '6f0c0000-0000-4000-8000-000000000001',
  name: 'checkout 5xx',
  description: '',
  enabled: true,
  muted: false,
  kind: 'server_error_rate',
  threshold: 0.05,
  resolveThreshold: 0.03,
  service: 'checkout',
  route: '/api/pay',
  method: 'POST',
  windowSeconds: 300,
  forSeconds: 120,
  intervalSeconds: 60,
  minRequests: 20,
  severity: 'critical',
  labels: { team: 'payments' },
  channelIds: [],
  reminderSeconds: null,
  anomalyKind: null,
  minSeverity: 'HIGH',
  createdAt: at,
  updatedAt: at,
};
const event: AlertEvent = {
  id: '17',
  ruleId: rule.id,
  ruleName: rule.name,
  kind: 'firing',
  at,
  value: 0.079,
  threshold: 0.05,
  severity: 'critical',
  labels: rule.labels,
  summary: '[CRITICAL] checkout 5xx firing',
  firingSince: new Date('2026-12-05T21:58:00Z'),
};

describe('notification payloads', () => {
  it('the webhook JSON carries the rule, the value and drill-down links in the dashboard’s own URL parameters', () => {
    const p = buildPayload(event, rule, '42', 'https://logpulse.example.com/');
    expect(p).toMatchObject({
      version: 1,
      deliveryId: '42',
      eventId: '17',
      kind: 'firing',
      value: 0.079,
      valueText: '7.9 %',
      rule: {
        name: 'checkout 5xx',
        condition: '5xx rate > 5.0 % over 5m (checkout POST /api/pay)',
        unit: 'ratio',
        labels: { team: 'payments' },
      },
    });
    const logs = new URL(p.links.logs!);
    expect(logs.origin + logs.pathname).toBe('https://logpulse.example.com/logs');
    expect(Object.fromEntries(logs.searchParams)).toEqual({
      from: '2026-12-05T21:53:00.000Z',
      to: '2026-12-05T22:00:00.000Z',
      service: 'checkout',
      'f.route': '/api/pay',
      'f.method': 'POST',
      'f.statusClass': '5',
    });
    expect(p.links.insights).toBe(
      'https://logpulse.example.com/insights?from=2026-12-05T21%3A53%3A00.000Z&to=2026-12-05T22%3A00%3A00.000Z&service=checkout',
    );
  });

  it('Slack gets text plus a coloured attachment; email a subject naming the transition', () => {
    const p = buildPayload(event, rule, '42', 'http://localhost:8000');
    const slack = slackMessage(p) as { text: string; attachments: { color: string; fields: { title: string; value: string }[] }[] };
    expect(slack.text).toContain('checkout 5xx firing');
    expect(slack.attachments[0]!.color).toBe('#d93025');
    expect(slack.attachments[0]!.fields).toContainEqual({ title: 'team', value: 'payments', short: true });
    expect(emailMessage({ ...p, kind: 'resolved' }).subject).toBe('[logpulse RESOLVED] checkout 5xx');
    expect(emailMessage(p).text).toContain('Value:     7.9 %');
  });
});
