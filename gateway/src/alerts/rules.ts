import { z } from 'zod';
import {
  ALERT_CHANNEL_KINDS,
  ALERT_CONDITION_KINDS,
  ALERT_SEVERITIES,
  ANOMALY_KIND_NAMES,
  type AlertChannelKind,
  type AlertLabels,
  type AlertRule,
} from '../domain/alert.ts';
import { directionOf } from './conditions.ts';
import { SEVERITIES } from '../domain/severity.ts';

/** A mistake in rule, channel or silence input; `field` names the offending input field. */
export class AlertInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** The user-settable part of a rule. */
export type RuleDefinition = Omit<AlertRule, 'id' | 'createdAt' | 'updatedAt'>;

export type RuleInput = { [K in keyof RuleDefinition]?: RuleDefinition[K] | null };

const DAY = 86_400;
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;

const labels = z
  .record(
    z.string().regex(LABEL_KEY, { error: 'label names are letters, digits, _ . - (starting with a letter or _), at most 63' }),
    z.string().max(200, { error: 'label values are at most 200 characters' }),
  )
  .refine((l) => Object.keys(l).length <= 20, { error: 'at most 20 labels' });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .nullable()
    .transform((v) => (v ? v : null));

const ruleSchema = z
  .object({
    name: z.string().trim().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }),
    description: z.string().max(1000, { error: 'must be at most 1000 characters' }),
    enabled: z.boolean(),
    muted: z.boolean(),
    kind: z.enum(ALERT_CONDITION_KINDS, { error: `must be one of ${ALERT_CONDITION_KINDS.join(', ')}` }),
    threshold: z.number({ error: 'is required' }).finite({ error: 'must be a finite number' }),
    resolveThreshold: z.number().finite({ error: 'must be a finite number' }).nullable(),
    service: optionalText(200),
    route: optionalText(500),
    method: optionalText(16)
      .transform((m) => m?.toUpperCase() ?? null)
      .refine((m) => m === null || /^[A-Z]+$/.test(m), { error: 'must be an HTTP method such as GET' }),
    windowSeconds: z
      .int({ error: 'must be an integer' })
      .min(60, { error: 'must be at least 60 (rollups are per minute)' })
      .max(7 * DAY, { error: 'must be at most 604800 (7 days)' }),
    forSeconds: z
      .int({ error: 'must be an integer' })
      .min(0, { error: 'must not be negative' })
      .max(DAY, { error: 'must be at most 86400 (1 day)' }),
    intervalSeconds: z
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be at least 1' })
      .max(3600, { error: 'must be at most 3600' }),
    minRequests: z
      .int({ error: 'must be an integer' })
      .min(0, { error: 'must not be negative' })
      .max(1_000_000, { error: 'must be at most 1000000' }),
    severity: z.enum(ALERT_SEVERITIES, { error: `must be one of ${ALERT_SEVERITIES.join(', ')}` }),
    labels,
    channelIds: z.array(z.uuid({ error: 'must be channel ids (UUIDs)' })).max(20, { error: 'at most 20 channels' }),
    reminderSeconds: z
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be at least 1' })
      .max(7 * DAY, { error: 'must be at most 604800 (7 days)' })
      .nullable(),
    anomalyKind: z.enum(ANOMALY_KIND_NAMES, { error: `must be one of ${ANOMALY_KIND_NAMES.join(', ')}` }).nullable(),
    minSeverity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
  })
  .superRefine((r, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.kind === 'error_rate' || r.kind === 'server_error_rate') {
      if (!(r.threshold > 0 && r.threshold < 1)) fail('threshold', 'a rate threshold is a ratio between 0 and 1 (0.05 = 5 %)');
    } else if (r.kind === 'no_data' || r.kind === 'anomaly') {
      if (r.threshold !== 0) fail('threshold', `${r.kind} takes no threshold (omit it or pass 0)`);
      if (r.resolveThreshold !== null) fail('resolveThreshold', `${r.kind} takes no resolve threshold`);
    } else if (r.kind === 'ingest_lag') {
      if (!(r.threshold > 0 && r.threshold <= DAY))
        fail('threshold', 'an ingest lag threshold is in seconds, greater than 0 and at most 86400 (1 day)');
      // Lag is kept per service at ingest (not per route), so a narrower filter could not be honoured.
      if (r.route !== null) fail('route', 'ingest_lag rules filter by service only');
      if (r.method !== null) fail('method', 'ingest_lag rules filter by service only');
    } else if (r.kind === 'request_rate_above') {
      if (r.threshold < 0) fail('threshold', 'must not be negative');
    } else if (!(r.threshold > 0)) fail('threshold', 'must be greater than 0');
    if (r.kind !== 'anomaly' && r.anomalyKind !== null) fail('anomalyKind', 'applies to anomaly rules only');
    if (r.resolveThreshold !== null && r.kind !== 'no_data' && r.kind !== 'anomaly') {
      if (directionOf(r.kind) === 'above' && r.resolveThreshold > r.threshold)
        fail('resolveThreshold', 'must not be above the threshold (the alert resolves once the value falls to it)');
      if (directionOf(r.kind) === 'below' && r.resolveThreshold < r.threshold)
        fail('resolveThreshold', 'must not be below the threshold (the alert resolves once the value rises to it)');
      if (r.resolveThreshold < 0) fail('resolveThreshold', 'must not be negative');
    }
    if (new Set(r.channelIds).size !== r.channelIds.length) fail('channelIds', 'lists a channel twice');
  });

const RULE_DEFAULTS: Omit<RuleDefinition, 'name' | 'kind' | 'threshold'> = {
  description: '',
  enabled: true,
  muted: false,
  resolveThreshold: null,
  service: null,
  route: null,
  method: null,
  windowSeconds: 300,
  forSeconds: 0,
  intervalSeconds: 60,
  minRequests: 20,
  severity: 'warning',
  labels: {},
  channelIds: [],
  reminderSeconds: null,
  anomalyKind: null,
  minSeverity: 'HIGH',
};

/** Fields given as null fall back to `base` unless null is a meaningful value for them. */
const NULLABLE: ReadonlySet<string> = new Set(['resolveThreshold', 'service', 'route', 'method', 'reminderSeconds', 'anomalyKind']);

function merge(base: object, input: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (value === null && !NULLABLE.has(key)) continue;
    out[key] = value;
  }
  return out;
}

function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'input';
  throw new AlertInputError(`${field}: ${issue.message}`, field);
}

/** A complete, valid rule from create input (defaults filled in); throws AlertInputError. */
export function ruleFromInput(input: RuleInput): RuleDefinition {
  const base = { ...RULE_DEFAULTS, threshold: input.kind === 'no_data' || input.kind === 'anomaly' ? 0 : undefined };
  return validate(ruleSchema, merge(base, input)) as RuleDefinition;
}

/** `existing` with `input`'s fields changed (absent ones kept), validated as a whole. */
export function ruleWithChanges(existing: AlertRule, input: RuleInput): RuleDefinition {
  const { id: _id, createdAt: _c, updatedAt: _u, ...definition } = existing;
  return validate(ruleSchema, merge(definition, input)) as RuleDefinition;
}

export interface ChannelDefinition {
  name: string;
  kind: AlertChannelKind;
  target: string;
  /** undefined: keep the stored one; null: remove it. */
  secret: string | null | undefined;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000, { error: 'must be at most 2000 characters' });
const emailList = z
  .string()
  .max(2000, { error: 'must be at most 2000 characters' })
  .transform((s) =>
    s
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.email({ error: 'must be comma-separated email addresses' }))
      .min(1, { error: 'needs at least one address' })
      .max(50, { error: 'at most 50 addresses' }),
  )
  .transform((list) => list.join(', '));

const channelSchema = z
  .object({
    name: z.string().trim().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }),
    kind: z.enum(ALERT_CHANNEL_KINDS, { error: `must be one of ${ALERT_CHANNEL_KINDS.join(', ')}` }),
    target: z.string().trim(),
    secret: z
      .string()
      .min(16, { error: 'must be at least 16 characters (use a random value, e.g. openssl rand -hex 24)' })
      .max(200, { error: 'must be at most 200 characters' })
      .nullish(),
  })
  .transform((c, ctx) => {
    const parsed = (c.kind === 'email' ? emailList : httpUrl).safeParse(c.target);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: parsed.error.issues[0]?.message ?? 'invalid target' });
      return z.NEVER;
    }
    return { ...c, target: parsed.data };
  });

/** A valid channel from create or update input; throws AlertInputError. */
export function channelFromInput(
  input: { name?: string | null; kind?: string | null; target?: string | null; secret?: string | null },
  existing?: { name: string; kind: AlertChannelKind; target: string },
): ChannelDefinition {
  const value = {
    name: input.name ?? existing?.name,
    kind: input.kind ?? existing?.kind,
    target: input.target ?? existing?.target,
    // An empty string removes the secret; absent keeps it.
    secret: input.secret === '' ? null : input.secret,
  };
  const parsed = validate(channelSchema, value);
  return {
    name: parsed.name,
    kind: parsed.kind,
    target: parsed.target,
    secret: input.secret === undefined ? undefined : (parsed.secret ?? null),
  };
}

export interface SilenceDefinition {
  ruleId: string | null;
  labels: AlertLabels;
  endsAt: Date;
  comment: string;
}

const MAX_SILENCE_MS = 90 * DAY * 1000;

/** A valid silence: for a rule, for labels, or both, ending in the future (at most 90 days). */
export function silenceFromInput(
  input: { ruleId?: string | null; labels?: AlertLabels | null; endsAt: Date; comment?: string | null },
  now: Date,
): SilenceDefinition {
  const value = validate(
    z.object({
      ruleId: z.uuid({ error: 'must be a rule id' }).nullable(),
      labels,
      endsAt: z.date({ error: 'must be a date' }),
      comment: z.string().max(500, { error: 'must be at most 500 characters' }),
    }),
    { ruleId: input.ruleId ?? null, labels: input.labels ?? {}, endsAt: input.endsAt, comment: input.comment ?? '' },
  );
  if (!value.ruleId && Object.keys(value.labels).length === 0)
    throw new AlertInputError('input: a silence needs a ruleId or labels', 'ruleId');
  if (value.endsAt.getTime() <= now.getTime()) throw new AlertInputError('endsAt: must be in the future', 'endsAt');
  if (value.endsAt.getTime() - now.getTime() > MAX_SILENCE_MS) throw new AlertInputError('endsAt: must be at most 90 days ahead', 'endsAt');
  return value;
}

/** True when every label of the silence is on the rule with the same value. */
export function labelsMatch(silence: AlertLabels, rule: AlertLabels): boolean {
  return Object.entries(silence).every(([k, v]) => rule[k] === v);
}
