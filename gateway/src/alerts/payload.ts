import type { AlertEvent, AlertRule } from '../domain/alert.ts';
import { describeCondition, formatValue, unitOf } from './conditions.ts';

/**
 * The JSON body of a generic webhook (README "Alerts → Webhook payload"). `deliveryId` is stable
 * across retries of one notification: receivers that must act once deduplicate on it.
 */
export interface WebhookPayload {
  version: 1;
  deliveryId: string;
  eventId: string;
  /** firing | resolved | reminder | test */
  kind: string;
  summary: string;
  at: string;
  firingSince: string | null;
  value: number | null;
  valueText: string;
  threshold: number;
  rule: {
    id: string | null;
    name: string;
    kind: string | null;
    condition: string | null;
    unit: string | null;
    severity: string;
    labels: Record<string, string>;
    service: string | null;
    route: string | null;
    method: string | null;
  };
  links: { alerts: string; logs: string | null; insights: string | null };
}

/**
 * The window an alert is about, for links: from one rule window before it fired (what led up to
 * it) until the event. The dashboard's Alerts page builds the same range (web alert-links.ts).
 */
function linkRange(event: AlertEvent, rule: AlertRule | null): { from: string; to: string } {
  const start = (event.firingSince ?? event.at).getTime() - (rule?.windowSeconds ?? 900) * 1000;
  return { from: new Date(start).toISOString(), to: event.at.toISOString() };
}

export function buildPayload(event: AlertEvent, rule: AlertRule | null, deliveryId: string, publicUrl: string): WebhookPayload {
  const base = publicUrl.replace(/\/+$/, '');
  const range = linkRange(event, rule);
  // The dashboard's own URL parameters: the global range and service, and the Logs explorer's f.* filters.
  const scope = new URLSearchParams({ from: range.from, to: range.to });
  if (rule?.service) scope.set('service', rule.service);
  const logs = new URLSearchParams(scope);
  if (rule?.route) logs.set('f.route', rule.route);
  if (rule?.method) logs.set('f.method', rule.method);
  if (rule?.kind === 'server_error_rate') logs.set('f.statusClass', '5');
  return {
    version: 1,
    deliveryId,
    eventId: event.id,
    kind: event.kind,
    summary: event.summary,
    at: event.at.toISOString(),
    firingSince: event.firingSince?.toISOString() ?? null,
    value: event.value,
    valueText: rule ? formatValue(rule.kind, event.value) : String(event.value ?? 'no data'),
    threshold: event.threshold,
    rule: {
      id: event.ruleId,
      name: event.ruleName,
      kind: rule?.kind ?? null,
      condition: rule ? describeCondition(rule) : null,
      unit: rule ? unitOf(rule.kind) : null,
      severity: event.severity,
      labels: event.labels,
      service: rule?.service ?? null,
      route: rule?.route ?? null,
      method: rule?.method ?? null,
    },
    links: {
      alerts: `${base}/alerts`,
      logs: rule ? `${base}/logs?${logs.toString()}` : null,
      insights: rule ? `${base}/insights?${scope.toString()}` : null,
    },
  };
}

const COLORS: Record<string, string> = { firing: '#d93025', reminder: '#e37400', resolved: '#188038', test: '#1a73e8' };

/** Slack's incoming-webhook format (also accepted by Mattermost, Rocket.Chat, Discord's /slack). */
export function slackMessage(p: WebhookPayload): object {
  const title = `${p.kind === 'resolved' ? '✅' : p.kind === 'test' ? 'ℹ️' : '🔥'} ${p.summary}`;
  return {
    text: title,
    attachments: [
      {
        color: COLORS[p.kind] ?? '#5f6368',
        fields: [
          { title: 'Rule', value: p.rule.name, short: true },
          { title: 'Severity', value: p.rule.severity, short: true },
          { title: 'Value', value: p.valueText, short: true },
          { title: 'Condition', value: p.rule.condition ?? '-', short: false },
          ...Object.entries(p.rule.labels).map(([k, v]) => ({ title: k, value: v, short: true })),
        ],
        footer: `logpulse · ${p.links.logs ?? p.links.alerts}`,
        ts: Math.floor(Date.parse(p.at) / 1000),
      },
    ],
  };
}

/** Subject and plain-text body of the email. */
export function emailMessage(p: WebhookPayload): { subject: string; text: string } {
  const lines = [
    p.summary,
    '',
    `Rule:      ${p.rule.name}`,
    `Severity:  ${p.rule.severity}`,
    `Value:     ${p.valueText}`,
    `Condition: ${p.rule.condition ?? '-'}`,
    `At:        ${p.at}`,
    ...(p.firingSince ? [`Firing since: ${p.firingSince}`] : []),
    ...Object.entries(p.rule.labels).map(([k, v]) => `Label ${k}: ${v}`),
    '',
    `Logs:     ${p.links.logs ?? '-'}`,
    `Insights: ${p.links.insights ?? '-'}`,
    `Alerts:   ${p.links.alerts}`,
  ];
  const tag = p.kind === 'resolved' ? 'RESOLVED' : p.kind === 'test' ? 'TEST' : 'FIRING';
  return { subject: `[logpulse ${tag}] ${p.rule.name}`, text: lines.join('\n') };
}
