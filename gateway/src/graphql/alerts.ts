import { builder } from './builder.ts';
import type { GatewayContext } from '../context.ts';
import type { AlertChannel, AlertDelivery, AlertEvent, AlertLabels, AlertRule, AlertSilence, AlertStateName } from '../domain/alert.ts';
import {
  AlertNameTakenError,
  deleteChannel,
  deleteRule,
  endSilence,
  getChannel,
  getChannelForSending,
  getRule,
  insertChannel,
  insertRule,
  insertSilence,
  listChannels,
  listDeliveries,
  listEvents,
  listRules,
  listRuleStatuses,
  listSilences,
  UnknownChannelError,
  UnknownRuleError,
  updateChannel,
  updateRule,
  type RuleStatus,
} from '../storage/alerts.ts';
import { AlertInputError, channelFromInput, ruleFromInput, ruleWithChanges, silenceFromInput, type RuleInput } from '../alerts/rules.ts';
import { describeCondition, formatValue, unitOf } from '../alerts/conditions.ts';
import { sendTestNotification, type DispatchSettings, type TestResult } from '../alerts/outbox.ts';
import { rangeArg, TimeRange } from './time-range.ts';
import { badInput, intArg } from './analytics-common.ts';
import { NotFoundError } from '../domain/errors.ts';
import { AnomalyKindRef } from './anomalies.ts';
import { SeverityRef } from './insight-severity.ts';

// ---------------------------------------------------------------------------------------------
// Enums

const AlertConditionKindRef = builder.enumType('AlertConditionKind', {
  description:
    'What a rule measures over its window: from the minute rollups, or (INGEST_LAG) from the per-request ingest bookkeeping; never from raw logs.',
  values: {
    ERROR_RATE: { value: 'error_rate', description: 'Share of requests answered 4xx or 5xx, a ratio 0..1 (threshold 0.05 = 5 %).' },
    SERVER_ERROR_RATE: { value: 'server_error_rate', description: 'Share of requests answered 5xx, a ratio 0..1.' },
    LATENCY_P95: { value: 'p95', description: '95th percentile latency in ms.' },
    LATENCY_P99: { value: 'p99', description: '99th percentile latency in ms.' },
    REQUEST_RATE_ABOVE: { value: 'request_rate_above', description: 'Requests per minute (averaged over the window) above the threshold.' },
    REQUEST_RATE_BELOW: { value: 'request_rate_below', description: 'Requests per minute (averaged over the window) below the threshold.' },
    NO_DATA: {
      value: 'no_data',
      description: 'No record at all in the window (the service or the log pipeline stopped). Takes no threshold.',
    },
    INGEST_LAG: {
      value: 'ingest_lag',
      description:
        'How late records reach the gateway, in seconds: the p95 of (arrival time − record timestamp) over the records that arrived in the window, each batch counted at its oldest record (an upper bound). Service filter only; threshold 0 < X ≤ 86400.',
    },
    ANOMALY: {
      value: 'anomaly',
      description:
        'Any anomaly of `anomalyKind` (any kind when null) at `minSeverity` or worse found by the `anomalies` detector in the window. Takes no threshold.',
    },
  } as const,
});

const AlertStateRef = builder.enumType('AlertState', {
  description: 'Where a rule stands: inactive → pending (condition holds, waiting `for`) → firing → resolved.',
  values: {
    INACTIVE: { value: 'inactive', description: 'The condition does not hold (or the rule was never evaluated).' },
    PENDING: { value: 'pending', description: 'The condition holds but not yet for `forSeconds`.' },
    FIRING: { value: 'firing', description: 'The condition held for `forSeconds`; notified.' },
    RESOLVED: { value: 'resolved', description: 'Was firing; the value is back past the resolve threshold. Behaves like inactive.' },
  } as const,
});

const AlertSeverityRef = builder.enumType('AlertSeverity', {
  description: 'How urgent a rule is (carried in notifications).',
  values: {
    INFO: { value: 'info', description: 'Worth knowing.' },
    WARNING: { value: 'warning', description: 'Degraded; worth a look soon.' },
    CRITICAL: { value: 'critical', description: 'Users are failing now.' },
  } as const,
});

const AlertEventKindRef = builder.enumType('AlertEventKind', {
  description: 'A transition in the alert history. FIRING, RESOLVED and REMINDER are notified.',
  values: {
    PENDING: { value: 'pending', description: 'The condition started to hold; the `for` clock runs.' },
    FIRING: { value: 'firing', description: 'The alert fired.' },
    RESOLVED: { value: 'resolved', description: 'The alert resolved.' },
    REMINDER: { value: 'reminder', description: 'Still firing: the periodic reminder.' },
    CANCELLED: { value: 'cancelled', description: 'The condition stopped holding before `for` elapsed.' },
  } as const,
});

const AlertChannelKindRef = builder.enumType('AlertChannelKind', {
  description: 'How a channel delivers.',
  values: {
    WEBHOOK: { value: 'webhook', description: 'POST of the JSON payload (README), signed with X-Logpulse-Signature when a secret is set.' },
    SLACK: { value: 'slack', description: 'POST in the Slack incoming-webhook format.' },
    EMAIL: { value: 'email', description: 'Plain-text email through the SMTP server of the SMTP_* settings.' },
  } as const,
});

const AlertDeliveryStatusRef = builder.enumType('AlertDeliveryStatus', {
  description: 'What became of one notification to one channel.',
  values: {
    PENDING: { value: 'pending', description: 'Waiting to be sent (or retried after a failure).' },
    SENT: { value: 'sent', description: 'The receiver accepted it.' },
    FAILED: { value: 'failed', description: 'Given up after ALERTS_MAX_ATTEMPTS attempts.' },
    SILENCED: { value: 'silenced', description: 'Not sent: a silence matched.' },
    MUTED: { value: 'muted', description: 'Not sent: the rule is muted.' },
  } as const,
});

// ---------------------------------------------------------------------------------------------
// Objects

interface Label {
  name: string;
  value: string;
}
const labelList = (labels: AlertLabels): Label[] => Object.entries(labels).map(([name, value]) => ({ name, value }));

const AlertLabelRef = builder.objectRef<Label>('AlertLabel').implement({
  description: 'A name=value label on a rule (carried in notifications, matched by silences).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Label name.' }),
    value: t.exposeString('value', { description: 'Label value.' }),
  }),
});

/** Slack webhook URLs carry their token in the path: shown without it. */
function visibleTarget(channel: AlertChannel): string {
  if (channel.kind !== 'slack') return channel.target;
  try {
    return `${new URL(channel.target).origin}/…`;
  } catch {
    return '…';
  }
}

const AlertChannelRef = builder.objectRef<AlertChannel>('AlertChannel').implement({
  description: 'Where notifications go. Secrets are write-only: never returned.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Channel id.' }),
    name: t.exposeString('name', { description: 'Unique name.' }),
    kind: t.field({ type: AlertChannelKindRef, description: 'How it delivers.', resolve: (c) => c.kind }),
    target: t.string({
      description: 'The webhook URL or the email addresses; a Slack URL is shown without its token path.',
      resolve: visibleTarget,
    }),
    hasSecret: t.exposeBoolean('hasSecret', { description: 'Whether webhook requests are signed (the secret itself is write-only).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

const AlertRuleRef = builder.objectRef<AlertRule>('AlertRule').implement({
  description: 'A condition over a service / route / method filter, evaluated every `intervalSeconds` over a window of the rollups.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Rule id.' }),
    name: t.exposeString('name', { description: 'Unique name.' }),
    description: t.exposeString('description', { description: 'Free text for whoever is notified.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Evaluated at all.' }),
    muted: t.exposeBoolean('muted', { description: 'Evaluated and recorded, but no notification is sent.' }),
    kind: t.field({ type: AlertConditionKindRef, description: 'What is measured.', resolve: (r) => r.kind }),
    threshold: t.exposeFloat('threshold', { description: 'Fires past this value (unit: see `unit`).' }),
    resolveThreshold: t.exposeFloat('resolveThreshold', {
      nullable: true,
      description: 'A firing alert resolves only once the value is back past this one (hysteresis); null: the threshold itself.',
    }),
    unit: t.string({
      description: '"ratio", "ms", "requests/min", "requests", "s" (ingest lag) or "anomalies".',
      resolve: (r) => unitOf(r.kind),
    }),
    condition: t.string({
      description: 'The condition in words, e.g. "5xx rate > 5.0 % over 5m (checkout)".',
      resolve: (r) => describeCondition(r),
    }),
    service: t.exposeString('service', { nullable: true, description: 'Only this service; null: all.' }),
    route: t.exposeString('route', { nullable: true, description: 'Only this templated route; null: all.' }),
    method: t.exposeString('method', { nullable: true, description: 'Only this HTTP method; null: all.' }),
    windowSeconds: t.exposeInt('windowSeconds', { description: 'How far back each evaluation looks (whole minutes of rollups).' }),
    forSeconds: t.exposeInt('forSeconds', { description: 'How long the condition must hold before the alert fires.' }),
    intervalSeconds: t.exposeInt('intervalSeconds', { description: 'How often the rule is evaluated.' }),
    minRequests: t.exposeInt('minRequests', { description: 'Rates and percentiles over fewer requests than this are not judged.' }),
    severity: t.field({ type: AlertSeverityRef, description: 'Urgency.', resolve: (r) => r.severity }),
    labels: t.field({
      type: [AlertLabelRef],
      description: 'Labels, sent with notifications and matched by silences.',
      resolve: (r) => labelList(r.labels),
    }),
    channelIds: t.exposeIDList('channelIds', { description: 'Channels notified.' }),
    channels: t.field({
      type: [AlertChannelRef],
      description: 'Channels notified.',
      resolve: async (r, _args, ctx) =>
        r.channelIds.length ? (await listChannels(ctx.db.pool)).filter((c) => r.channelIds.includes(c.id)) : [],
    }),
    reminderSeconds: t.exposeInt('reminderSeconds', { nullable: true, description: 'Notify again this often while firing; null: never.' }),
    anomalyKind: t.field({
      type: AnomalyKindRef,
      nullable: true,
      description: 'ANOMALY rules: the kind of anomaly that counts; null: any.',
      resolve: (r) => r.anomalyKind,
    }),
    minSeverity: t.field({
      type: SeverityRef,
      description: 'ANOMALY rules: the least severity that counts.',
      resolve: (r) => r.minSeverity,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

const AlertRef = builder.objectRef<RuleStatus>('Alert').implement({
  description: 'A rule and where its evaluation stands.',
  fields: (t) => ({
    rule: t.field({ type: AlertRuleRef, description: 'The rule.', resolve: (a) => a.rule }),
    state: t.field({ type: AlertStateRef, description: 'Current state.', resolve: (a) => a.status.state }),
    since: t.field({ type: 'DateTime', description: 'When the current state began.', resolve: (a) => a.status.since }),
    pendingSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'While pending: when the condition started to hold.',
      resolve: (a) => a.status.pendingSince,
    }),
    firingSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'While firing: when it fired.',
      resolve: (a) => a.status.firingSince,
    }),
    value: t.exposeFloat('lastValue', {
      nullable: true,
      description: "The value at the last evaluation (unit: the rule's); null without enough data.",
    }),
    valueText: t.string({ description: 'The value for people, e.g. "12.3 %".', resolve: (a) => formatValue(a.rule.kind, a.lastValue) }),
    lastEvaluatedAt: t.expose('lastEvaluatedAt', { type: 'DateTime', nullable: true, description: 'When it was last evaluated.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last evaluation failed, if it did.' }),
  }),
});

const AlertDeliveryRef = builder.objectRef<AlertDelivery>('AlertDelivery').implement({
  description: 'One notification of one transition to one channel (the outbox row).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Delivery id; also the X-Logpulse-Delivery header, stable across retries.' }),
    channelId: t.exposeID('channelId', { description: 'The channel.' }),
    channelName: t.exposeString('channelName', { description: 'The channel name.' }),
    status: t.field({ type: AlertDeliveryStatusRef, description: 'Outcome so far.', resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts', { description: 'Send attempts made.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', description: 'When a pending delivery is (re)tried.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed.' }),
    responseStatus: t.exposeInt('responseStatus', { nullable: true, description: 'HTTP status of the last answer (webhooks).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the transition queued it.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true, description: 'When the receiver accepted it.' }),
  }),
});

const AlertEventRef = builder.objectRef<AlertEvent & { deliveries?: AlertDelivery[] }>('AlertEvent').implement({
  description: 'A transition of a rule (the alert history).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Event id (the eventId of webhook payloads).' }),
    ruleId: t.exposeID('ruleId', { nullable: true, description: 'The rule; null once it was deleted.' }),
    ruleName: t.exposeString('ruleName', { description: 'The rule name at the time.' }),
    kind: t.field({ type: AlertEventKindRef, description: 'Which transition.', resolve: (e) => e.kind }),
    at: t.expose('at', { type: 'DateTime', description: 'When (the evaluation time).' }),
    value: t.exposeFloat('value', { nullable: true, description: "The measured value (unit: the rule's)." }),
    threshold: t.exposeFloat('threshold', { description: 'The threshold at the time.' }),
    severity: t.field({ type: AlertSeverityRef, description: 'Severity at the time.', resolve: (e) => e.severity }),
    labels: t.field({ type: [AlertLabelRef], description: 'Labels at the time.', resolve: (e) => labelList(e.labels) }),
    summary: t.exposeString('summary', { description: 'One line: what happened, the value and the condition.' }),
    firingSince: t.expose('firingSince', {
      type: 'DateTime',
      nullable: true,
      description: 'When the incident began (firing and reminder events).',
    }),
    deliveries: t.field({
      type: [AlertDeliveryRef],
      description: 'Notifications of this transition and what became of them.',
      resolve: async (e, _args, ctx) => e.deliveries ?? listDeliveries(ctx.db.pool, { eventIds: [e.id], limit: 100 }),
    }),
  }),
});

const AlertSilenceRef = builder.objectRef<AlertSilence>('AlertSilence').implement({
  description: 'Notifications of a rule, or of every rule carrying some labels, are not sent until `endsAt` (still recorded as SILENCED).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Silence id.' }),
    ruleId: t.exposeID('ruleId', { nullable: true, description: 'The rule silenced; null: any rule with the labels.' }),
    labels: t.field({
      type: [AlertLabelRef],
      description: 'Every one of these must be on a rule for it to be silenced.',
      resolve: (s) => labelList(s.labels),
    }),
    startsAt: t.expose('startsAt', { type: 'DateTime', description: 'Start.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: 'End.' }),
    comment: t.exposeString('comment', { description: 'Why.' }),
    active: t.boolean({
      description: 'In force now.',
      resolve: (s, _args, ctx) => s.startsAt.getTime() <= ctx.clock.now() && s.endsAt.getTime() > ctx.clock.now(),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

const AlertTestResultRef = builder.objectRef<TestResult & { channel: AlertChannel }>('AlertTestResult').implement({
  description: 'How a sample notification went.',
  fields: (t) => ({
    channel: t.field({ type: AlertChannelRef, description: 'The channel tried.', resolve: (r) => r.channel }),
    ok: t.exposeBoolean('ok', { description: 'The receiver accepted it.' }),
    responseStatus: t.exposeInt('responseStatus', { nullable: true, description: 'HTTP status of the answer (webhooks).' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed.' }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Inputs

const AlertLabelInput = builder.inputType('AlertLabelInput', {
  description: 'A name=value label.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Letters, digits, _ . - ; starts with a letter or _.' }),
    value: t.string({ required: true, description: 'At most 200 characters.' }),
  }),
});

const AlertRuleInput = builder.inputType('AlertRuleInput', {
  description:
    'Rule fields. On create, name and kind are required (threshold too, except for NO_DATA); on update, omitted fields keep their value.',
  fields: (t) => ({
    name: t.string({ required: false, description: 'Unique name, 1-100 characters.' }),
    description: t.string({ required: false, description: 'Free text, at most 1000 characters.' }),
    enabled: t.boolean({ required: false, description: 'Evaluate it (default true).' }),
    muted: t.boolean({ required: false, description: 'Evaluate and record but send nothing (default false).' }),
    kind: t.field({ type: AlertConditionKindRef, required: false, description: 'What to measure.' }),
    threshold: t.float({
      required: false,
      description: 'Rates: ratio in (0, 1); latency: ms > 0; request rate: requests/min; ingest lag: seconds in (0, 86400].',
    }),
    resolveThreshold: t.float({ required: false, description: 'Resolve only past this value (hysteresis); null: the threshold.' }),
    service: t.string({ required: false, description: 'Only this service; null or empty: all.' }),
    route: t.string({ required: false, description: 'Only this templated route, e.g. "/api/users/:id".' }),
    method: t.string({ required: false, description: 'Only this HTTP method.' }),
    windowSeconds: t.int({ required: false, description: 'Window each evaluation reads, 60..604800 s (default 300).' }),
    forSeconds: t.int({ required: false, description: 'Hold time before firing, 0..86400 s (default 0).' }),
    intervalSeconds: t.int({ required: false, description: 'Evaluation interval, 1..3600 s (default 60).' }),
    minRequests: t.int({ required: false, description: 'Least requests in the window for a rate or percentile to count (default 20).' }),
    severity: t.field({ type: AlertSeverityRef, required: false, description: 'Urgency (default WARNING).' }),
    labels: t.field({ type: [AlertLabelInput], required: false, description: 'Labels (at most 20); replaces all.' }),
    channelIds: t.idList({ required: false, description: 'Channels to notify (at most 20); replaces all.' }),
    reminderSeconds: t.int({ required: false, description: 'Notify again this often while firing (1..604800 s); null: never.' }),
    anomalyKind: t.field({
      type: AnomalyKindRef,
      required: false,
      description: 'ANOMALY rules: the kind of anomaly that counts; null: any.',
    }),
    minSeverity: t.field({
      type: SeverityRef,
      required: false,
      description: 'ANOMALY rules: the least severity that counts (default HIGH).',
    }),
  }),
});

const AlertChannelInput = builder.inputType('AlertChannelInput', {
  description: 'Channel fields. On create, name, kind and target are required; on update, omitted fields keep their value.',
  fields: (t) => ({
    name: t.string({ required: false, description: 'Unique name, 1-100 characters.' }),
    kind: t.field({ type: AlertChannelKindRef, required: false, description: 'How it delivers.' }),
    target: t.string({ required: false, description: 'http(s) URL (WEBHOOK, SLACK) or comma-separated email addresses (EMAIL).' }),
    secret: t.string({
      required: false,
      description: 'WEBHOOK signing secret (16-200 characters). Write-only: never returned. Omit to keep it, "" to remove it.',
    }),
  }),
});

const AlertSilenceInput = builder.inputType('AlertSilenceInput', {
  description: 'A silence: a rule, labels, or both, until `endsAt`.',
  fields: (t) => ({
    ruleId: t.id({ required: false, description: 'The rule to silence.' }),
    labels: t.field({ type: [AlertLabelInput], required: false, description: 'Silence every rule carrying all of these.' }),
    endsAt: t.field({ type: 'DateTime', required: true, description: 'When it ends (in the future, at most 90 days ahead).' }),
    comment: t.string({ required: false, description: 'Why (at most 500 characters).' }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Helpers

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idArg(value: string | number, argumentName: string): string {
  const id = String(value);
  if (!UUID.test(id)) throw badInput(`${argumentName}: not a valid id`, argumentName);
  return id.toLowerCase();
}

/** NOT_FOUND (HTTP 404) through the error mapping. */
function notFound(what: string, id: string): NotFoundError {
  return new NotFoundError(`no ${what} ${id}`);
}

/** Our validation and uniqueness errors become BAD_USER_INPUT; anything else goes to the masking. */
async function alertInput<T>(argumentName: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AlertInputError) throw badInput(error.message, `${argumentName}.${error.field}`);
    if (error instanceof AlertNameTakenError || error instanceof UnknownChannelError || error instanceof UnknownRuleError)
      throw badInput(error.message, argumentName);
    throw error;
  }
}

function labelsFrom(list: readonly Label[] | null | undefined, argumentName: string): AlertLabels | undefined {
  if (!list) return undefined;
  const out: AlertLabels = {};
  for (const { name, value } of list) {
    if (name in out) throw badInput(`${argumentName}: label "${name}" given twice`, argumentName);
    out[name] = value;
  }
  return out;
}

type RuleInputArgs = typeof AlertRuleInput.$inferInput;

function ruleInput(input: RuleInputArgs): RuleInput {
  const { labels, channelIds, ...rest } = input;
  return {
    ...rest,
    labels: labelsFrom(labels, 'input.labels'),
    channelIds: channelIds?.map((id) => String(id).toLowerCase()),
  } as RuleInput;
}

function dispatchSettings(ctx: GatewayContext): DispatchSettings {
  const a = ctx.config.alerts;
  return {
    retryBaseMs: a.retryBaseMs,
    retryMaxMs: a.retryMaxMs,
    maxAttempts: a.maxAttempts,
    sendTimeoutMs: a.sendTimeoutMs,
    publicUrl: a.publicUrl ?? `http://localhost:${ctx.config.port}`,
    smtp: a.smtp,
  };
}

// ---------------------------------------------------------------------------------------------
// Queries

builder.queryField('alertRules', (t) =>
  t.field({
    type: [AlertRuleRef],
    description: 'Every alert rule, by name.',
    resolve: (_root, _args, ctx) => listRules(ctx.db.pool),
  }),
);

builder.queryField('alertRule', (t) =>
  t.field({
    type: AlertRuleRef,
    nullable: true,
    description: 'One rule by id.',
    args: { id: t.arg.id({ required: true, description: 'Rule id.' }) },
    resolve: (_root, args, ctx) => getRule(ctx.db.pool, idArg(args.id, 'id')),
  }),
);

builder.queryField('alerts', (t) =>
  t.field({
    type: [AlertRef],
    description: 'Rules with their current state; e.g. `alerts(state: [FIRING])` is what is firing now, most recent first.',
    args: { state: t.arg({ type: [AlertStateRef], required: false, description: 'Only rules in these states; all when omitted.' }) },
    resolve: (_root, args, ctx) => listRuleStatuses(ctx.db.pool, (args.state as AlertStateName[] | null | undefined) ?? undefined),
  }),
);

builder.queryField('alertHistory', (t) =>
  t.field({
    type: [AlertEventRef],
    description: 'Alert transitions in a range, newest first, each with its deliveries.',
    args: {
      range: t.arg({ type: TimeRange, required: true, description: 'The time range.' }),
      ruleId: t.arg.id({ required: false, description: 'Only this rule.' }),
      kinds: t.arg({ type: [AlertEventKindRef], required: false, description: 'Only these transitions.' }),
      limit: t.arg.int({ required: false, description: 'Most events (default 200, at most 1000).' }),
    },
    resolve: async (_root, args, ctx) => {
      const range = rangeArg(args.range, ctx);
      const events = await listEvents(ctx.db.pool, {
        range,
        ruleId: args.ruleId ? idArg(args.ruleId, 'ruleId') : null,
        kinds: args.kinds ?? null,
        limit: intArg(args.limit, 'limit', 200, 1, 1000),
      });
      // One query for every event's deliveries instead of one per event.
      const deliveries = events.length ? await listDeliveries(ctx.db.pool, { eventIds: events.map((e) => e.id), limit: 10_000 }) : [];
      return events.map((e) => ({ ...e, deliveries: deliveries.filter((d) => d.eventId === e.id) }));
    },
  }),
);

builder.queryField('alertChannels', (t) =>
  t.field({
    type: [AlertChannelRef],
    description: 'Every notification channel, by name (secrets are never returned).',
    resolve: (_root, _args, ctx) => listChannels(ctx.db.pool),
  }),
);

builder.queryField('alertSilences', (t) =>
  t.field({
    type: [AlertSilenceRef],
    description: 'Silences that have not ended, latest end first (with includeEnded, the last 500 of all).',
    args: { includeEnded: t.arg.boolean({ required: false, description: 'Include ended silences.' }) },
    resolve: (_root, args, ctx) => listSilences(ctx.db.pool, args.includeEnded ?? false),
  }),
);

// ---------------------------------------------------------------------------------------------
// Mutations

builder.mutationField('createAlertRule', (t) =>
  t.field({
    type: AlertRuleRef,
    description: 'Creates a rule (evaluated from its next interval on).',
    args: { input: t.arg({ type: AlertRuleInput, required: true, description: 'The rule.' }) },
    resolve: (_root, args, ctx) => alertInput('input', async () => insertRule(ctx.db.pool, ruleFromInput(ruleInput(args.input)))),
  }),
);

builder.mutationField('updateAlertRule', (t) =>
  t.field({
    type: AlertRuleRef,
    description:
      'Changes a rule; omitted fields keep their value. Changing what it measures (or disabling it) resets its state to INACTIVE without notifying.',
    args: {
      id: t.arg.id({ required: true, description: 'Rule id.' }),
      input: t.arg({ type: AlertRuleInput, required: true, description: 'Fields to change.' }),
    },
    resolve: (_root, args, ctx) =>
      alertInput('input', async () => {
        const id = idArg(args.id, 'id');
        const existing = await getRule(ctx.db.pool, id);
        if (!existing) throw notFound('rule', id);
        const updated = await updateRule(ctx.db.pool, id, ruleWithChanges(existing, ruleInput(args.input)));
        if (!updated) throw notFound('rule', id);
        return updated;
      }),
  }),
);

builder.mutationField('deleteAlertRule', (t) =>
  t.boolean({
    description: 'Deletes a rule (its history stays, under its name). False when there was no such rule.',
    args: { id: t.arg.id({ required: true, description: 'Rule id.' }) },
    resolve: (_root, args, ctx) => deleteRule(ctx.db.pool, idArg(args.id, 'id')),
  }),
);

builder.mutationField('testAlertRule', (t) =>
  t.field({
    type: [AlertTestResultRef],
    description:
      'Sends a sample notification of the rule to each of its channels now (not recorded in the history) and reports each outcome.',
    args: { id: t.arg.id({ required: true, description: 'Rule id.' }) },
    resolve: async (_root, args, ctx) => {
      const id = idArg(args.id, 'id');
      const rule = await getRule(ctx.db.pool, id);
      if (!rule) throw notFound('rule', id);
      if (rule.channelIds.length === 0) throw badInput('the rule has no channels to test', 'id');
      const results = [];
      for (const channelId of rule.channelIds) {
        const channel = await getChannelForSending(ctx.db.pool, channelId);
        if (!channel) continue;
        const { secret: _secret, ...visible } = channel;
        results.push({ ...(await sendTestNotification(channel, rule, dispatchSettings(ctx))), channel: visible });
      }
      return results;
    },
  }),
);

builder.mutationField('createAlertChannel', (t) =>
  t.field({
    type: AlertChannelRef,
    description: 'Creates a notification channel.',
    args: { input: t.arg({ type: AlertChannelInput, required: true, description: 'The channel.' }) },
    resolve: (_root, args, ctx) => alertInput('input', async () => insertChannel(ctx.db.pool, channelFromInput(args.input))),
  }),
);

builder.mutationField('updateAlertChannel', (t) =>
  t.field({
    type: AlertChannelRef,
    description: 'Changes a channel; omitted fields keep their value (the secret too).',
    args: {
      id: t.arg.id({ required: true, description: 'Channel id.' }),
      input: t.arg({ type: AlertChannelInput, required: true, description: 'Fields to change.' }),
    },
    resolve: (_root, args, ctx) =>
      alertInput('input', async () => {
        const id = idArg(args.id, 'id');
        const existing = await getChannelForSending(ctx.db.pool, id);
        if (!existing) throw notFound('channel', id);
        const updated = await updateChannel(ctx.db.pool, id, channelFromInput(args.input, existing));
        if (!updated) throw notFound('channel', id);
        return updated;
      }),
  }),
);

builder.mutationField('deleteAlertChannel', (t) =>
  t.boolean({
    description: 'Deletes a channel and removes it from every rule. False when there was no such channel.',
    args: { id: t.arg.id({ required: true, description: 'Channel id.' }) },
    resolve: (_root, args, ctx) => deleteChannel(ctx.db.pool, idArg(args.id, 'id')),
  }),
);

builder.mutationField('testAlertChannel', (t) =>
  t.field({
    type: AlertTestResultRef,
    description: 'Sends a sample notification to a channel now and reports the outcome.',
    args: { id: t.arg.id({ required: true, description: 'Channel id.' }) },
    resolve: async (_root, args, ctx) => {
      const id = idArg(args.id, 'id');
      const channel = await getChannelForSending(ctx.db.pool, id);
      if (!channel) throw notFound('channel', id);
      const visible = (await getChannel(ctx.db.pool, id))!;
      return { ...(await sendTestNotification(channel, null, dispatchSettings(ctx))), channel: visible };
    },
  }),
);

builder.mutationField('createAlertSilence', (t) =>
  t.field({
    type: AlertSilenceRef,
    description:
      'Silences a rule or labels until endsAt: transitions are still recorded, their notifications are marked SILENCED and not sent.',
    args: { input: t.arg({ type: AlertSilenceInput, required: true, description: 'The silence.' }) },
    resolve: (_root, args, ctx) =>
      alertInput('input', async () => {
        const ruleId = args.input.ruleId ? idArg(args.input.ruleId, 'input.ruleId') : null;
        const silence = silenceFromInput(
          { ...args.input, ruleId, labels: labelsFrom(args.input.labels, 'input.labels') },
          new Date(ctx.clock.now()),
        );
        return insertSilence(ctx.db.pool, silence);
      }),
  }),
);

builder.mutationField('endAlertSilence', (t) =>
  t.field({
    type: AlertSilenceRef,
    description: 'Ends a silence now (it stays listed with includeEnded).',
    args: { id: t.arg.id({ required: true, description: 'Silence id.' }) },
    resolve: async (_root, args, ctx) => {
      const id = idArg(args.id, 'id');
      const silence = await endSilence(ctx.db.pool, id);
      if (!silence) throw notFound('silence', id);
      return silence;
    },
  }),
);

// ---------------------------------------------------------------------------------------------
// Subscription

builder.subscriptionField('alertEvents', (t) =>
  t.field({
    type: AlertEventRef,
    description: 'Alert transitions as the evaluating replica commits them (reaching every replica with REDIS_URL).',
    args: { ruleId: t.arg.id({ required: false, description: 'Only this rule.' }) },
    subscribe: (_root, args, ctx) => {
      const ruleId = args.ruleId ? idArg(args.ruleId, 'ruleId') : null;
      const source = ctx.pubsub.subscribe('alerts:event');
      if (!ruleId) return source;
      return filterAsync(source, (event) => event.ruleId === ruleId);
    },
    resolve: (event) => event,
  }),
);

async function* filterAsync<T>(source: AsyncIterable<T>, keep: (value: T) => boolean): AsyncGenerator<T> {
  for await (const value of source) if (keep(value)) yield value;
}
