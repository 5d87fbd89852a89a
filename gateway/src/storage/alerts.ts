import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type {
  AlertChannel,
  AlertChannelKind,
  AlertDelivery,
  AlertEvent,
  AlertEventKind,
  AlertLabels,
  AlertRule,
  AlertSilence,
  AlertStateName,
  AlertStatus,
  DeliveryStatus,
} from '../domain/alert.ts';
import { ALERT_STATES } from '../domain/alert.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { withTransaction } from './db.ts';

/** The rule fields a create or update writes (everything but id and timestamps). */
export type RuleColumns = Omit<AlertRule, 'id' | 'createdAt' | 'updatedAt'>;

const RULE_COLUMNS = `r.id, r.name, r.description, r.enabled, r.muted, r.kind, r.threshold, r.resolve_threshold, r.service, r.route, r.method,
  r.window_seconds, r.for_seconds, r.interval_seconds, r.min_requests, r.severity, r.labels, r.channel_ids::text[] AS channel_ids,
  r.reminder_seconds, r.anomaly_kind, r.min_severity, r.created_at, r.updated_at`;

interface RuleRow {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  muted: boolean;
  kind: string;
  threshold: number;
  resolve_threshold: number | null;
  service: string | null;
  route: string | null;
  method: string | null;
  window_seconds: number;
  for_seconds: number;
  interval_seconds: number;
  min_requests: number;
  severity: string;
  labels: AlertLabels;
  channel_ids: string[];
  reminder_seconds: number | null;
  anomaly_kind: string | null;
  min_severity: string;
  created_at: Date;
  updated_at: Date;
}

const toRule = (r: RuleRow): AlertRule => ({
  id: r.id,
  name: r.name,
  description: r.description,
  enabled: r.enabled,
  muted: r.muted,
  kind: r.kind as AlertRule['kind'],
  threshold: r.threshold,
  resolveThreshold: r.resolve_threshold,
  service: r.service,
  route: r.route,
  method: r.method,
  windowSeconds: r.window_seconds,
  forSeconds: r.for_seconds,
  intervalSeconds: r.interval_seconds,
  minRequests: r.min_requests,
  severity: r.severity as AlertRule['severity'],
  labels: r.labels,
  channelIds: r.channel_ids,
  reminderSeconds: r.reminder_seconds,
  anomalyKind: r.anomaly_kind as AlertRule['anomalyKind'],
  minSeverity: r.min_severity as AlertRule['minSeverity'],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A unique-name clash, reported to the user rather than as a database error. */
export class AlertNameTakenError extends Error {}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';
const isForeignKeyViolation = (error: unknown) => (error as { code?: string }).code === '23503';

export async function listRules(pool: pg.Pool): Promise<AlertRule[]> {
  const { rows } = await pool.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules r ORDER BY r.name`);
  return rows.map(toRule);
}

export async function getRule(pool: pg.Pool, id: string): Promise<AlertRule | null> {
  const { rows } = await pool.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules r WHERE r.id = $1`, [id]);
  return rows[0] ? toRule(rows[0]) : null;
}

function ruleParams(r: RuleColumns): unknown[] {
  return [
    r.name,
    r.description,
    r.enabled,
    r.muted,
    r.kind,
    r.threshold,
    r.resolveThreshold,
    r.service,
    r.route,
    r.method,
    r.windowSeconds,
    r.forSeconds,
    r.intervalSeconds,
    r.minRequests,
    r.severity,
    JSON.stringify(r.labels),
    r.channelIds,
    r.reminderSeconds,
    r.anomalyKind,
    r.minSeverity,
  ];
}

/** Channel ids a rule names that do not exist. */
async function unknownChannels(client: pg.PoolClient | pg.Pool, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<{ id: string }>('SELECT id::text FROM alert_channels WHERE id = ANY($1::uuid[])', [ids]);
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

export class UnknownChannelError extends Error {}

export async function insertRule(pool: pg.Pool, rule: RuleColumns): Promise<AlertRule> {
  return withTransaction(pool, async (client) => {
    const missing = await unknownChannels(client, rule.channelIds);
    if (missing.length) throw new UnknownChannelError(`channelIds: no channel ${missing.join(', ')}`);
    try {
      const { rows } = await client.query<RuleRow>(
        `INSERT INTO alert_rules AS r (id, name, description, enabled, muted, kind, threshold, resolve_threshold, service, route, method,
           window_seconds, for_seconds, interval_seconds, min_requests, severity, labels, channel_ids, reminder_seconds, anomaly_kind, min_severity)
         VALUES ($21, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17::uuid[], $18, $19, $20)
         RETURNING ${RULE_COLUMNS}`,
        [...ruleParams(rule), randomUUID()],
      );
      const created = toRule(rows[0]!);
      await client.query('INSERT INTO alert_state (rule_id) VALUES ($1)', [created.id]);
      return created;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlertNameTakenError(`name: a rule named "${rule.name}" exists already`);
      throw error;
    }
  });
}

/**
 * Rewrites a rule. A change to what it measures starts its evaluation afresh (back to inactive,
 * no notification): a firing alert of the old condition says nothing about the new one.
 */
export async function updateRule(pool: pg.Pool, id: string, rule: RuleColumns): Promise<AlertRule | null> {
  return withTransaction(pool, async (client) => {
    const missing = await unknownChannels(client, rule.channelIds);
    if (missing.length) throw new UnknownChannelError(`channelIds: no channel ${missing.join(', ')}`);
    try {
      const before = await client.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules r WHERE r.id = $1 FOR UPDATE`, [id]);
      if (!before.rows[0]) return null;
      const old = toRule(before.rows[0]);
      const { rows } = await client.query<RuleRow>(
        `UPDATE alert_rules AS r SET name = $1, description = $2, enabled = $3, muted = $4, kind = $5, threshold = $6, resolve_threshold = $7,
           service = $8, route = $9, method = $10, window_seconds = $11, for_seconds = $12, interval_seconds = $13, min_requests = $14,
           severity = $15, labels = $16::jsonb, channel_ids = $17::uuid[], reminder_seconds = $18, anomaly_kind = $19, min_severity = $20,
           updated_at = now()
         WHERE r.id = $21 RETURNING ${RULE_COLUMNS}`,
        [...ruleParams(rule), id],
      );
      const conditionChanged =
        old.kind !== rule.kind ||
        old.threshold !== rule.threshold ||
        old.service !== rule.service ||
        old.route !== rule.route ||
        old.method !== rule.method ||
        old.windowSeconds !== rule.windowSeconds ||
        old.anomalyKind !== rule.anomalyKind ||
        old.minSeverity !== rule.minSeverity ||
        (old.enabled && !rule.enabled);
      if (conditionChanged) {
        await client.query(
          `UPDATE alert_state SET state = 'inactive', since = now(), pending_since = NULL, firing_since = NULL, last_evaluated_at = NULL,
             last_value = NULL, version = version + 1 WHERE rule_id = $1`,
          [id],
        );
      }
      return toRule(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlertNameTakenError(`name: a rule named "${rule.name}" exists already`);
      throw error;
    }
  });
}

export async function deleteRule(pool: pg.Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query('DELETE FROM alert_rules WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

// ---------------------------------------------------------------------------------------------
// State

export interface RuleStatus {
  rule: AlertRule;
  status: AlertStatus;
  version: number;
  lastValue: number | null;
  lastEvaluatedAt: Date | null;
  lastError: string | null;
}

interface StatusRow extends RuleRow {
  state: string;
  version: number;
  since: Date;
  pending_since: Date | null;
  firing_since: Date | null;
  last_notified_at: Date | null;
  last_value: number | null;
  last_evaluated_at: Date | null;
  last_error: string | null;
}

const toRuleStatus = (r: StatusRow): RuleStatus => ({
  rule: toRule(r),
  status: {
    state: r.state as AlertStateName,
    since: r.since,
    pendingSince: r.pending_since,
    firingSince: r.firing_since,
    lastNotifiedAt: r.last_notified_at,
  },
  version: r.version,
  lastValue: r.last_value,
  lastEvaluatedAt: r.last_evaluated_at,
  lastError: r.last_error,
});

const STATUS_SELECT = `SELECT ${RULE_COLUMNS}, s.state, s.version, s.since, s.pending_since, s.firing_since, s.last_notified_at, s.last_value,
  s.last_evaluated_at, s.last_error FROM alert_rules r JOIN alert_state s ON s.rule_id = r.id`;

/** Every rule with its state, optionally only those in `states`. */
export async function listRuleStatuses(pool: pg.Pool, states?: readonly AlertStateName[]): Promise<RuleStatus[]> {
  const { rows } = states
    ? await pool.query<StatusRow>(`${STATUS_SELECT} WHERE s.state = ANY($1::text[]) ORDER BY s.since DESC, r.name`, [states])
    : await pool.query<StatusRow>(`${STATUS_SELECT} ORDER BY r.name`);
  return rows.map(toRuleStatus);
}

/** Enabled rules per state (every state present, 0 when none): the metrics' gauge, read at scrape time. */
export async function countEnabledRulesByState(pool: pg.Pool): Promise<Record<AlertStateName, number>> {
  const { rows } = await pool.query<{ state: AlertStateName; n: number }>(
    `SELECT s.state, count(*)::int AS n FROM alert_rules r JOIN alert_state s ON s.rule_id = r.id WHERE r.enabled GROUP BY s.state`,
  );
  const counts = Object.fromEntries(ALERT_STATES.map((s) => [s, 0])) as Record<AlertStateName, number>;
  for (const r of rows) if (r.state in counts) counts[r.state] = r.n;
  return counts;
}

/** Enabled rules whose interval has passed since their last evaluation (by the database clock). */
export async function dueRules(pool: pg.Pool): Promise<RuleStatus[]> {
  const { rows } = await pool.query<StatusRow>(
    `${STATUS_SELECT} WHERE r.enabled AND (s.last_evaluated_at IS NULL OR s.last_evaluated_at <= now() - make_interval(secs => r.interval_seconds) + interval '50 milliseconds')
     ORDER BY s.last_evaluated_at NULLS FIRST`,
  );
  return rows.map(toRuleStatus);
}

/** A transition to record, with the outbox rows it implies. */
export interface TransitionWrite {
  rule: AlertRule;
  expectedVersion: number;
  status: AlertStatus;
  value: number | null;
  evaluatedAt: Date;
  events: { kind: AlertEventKind; summary: string; notify: boolean }[];
  /** Lease that must still be held for the write to count (fencing a deposed leader). */
  lease: { name: string; holder: string };
}

/**
 * Writes one evaluation in one transaction: the state (compare-and-set on `version`), the history
 * events and, for notified events, one outbox row per channel of the rule (status `pending`, or
 * `silenced` / `muted` so the history says why nothing was sent). Returns the events written,
 * or null when another evaluator moved the state first or this one no longer holds the lease.
 */
export async function writeEvaluation(pool: pg.Pool, w: TransitionWrite): Promise<AlertEvent[] | null> {
  return withTransaction(pool, async (client) => {
    const lease = await client.query('SELECT 1 FROM alert_leader WHERE name = $1 AND holder = $2 AND expires_at > now() FOR SHARE', [
      w.lease.name,
      w.lease.holder,
    ]);
    if (lease.rowCount === 0) return null;
    const updated = await client.query(
      `UPDATE alert_state SET state = $3, since = $4, pending_since = $5, firing_since = $6, last_notified_at = $7, last_value = $8,
         last_evaluated_at = $9, last_error = NULL, version = version + 1
       WHERE rule_id = $1 AND version = $2`,
      [
        w.rule.id,
        w.expectedVersion,
        w.status.state,
        w.status.since,
        w.status.pendingSince,
        w.status.firingSince,
        w.status.lastNotifiedAt,
        w.value,
        w.evaluatedAt,
      ],
    );
    if (updated.rowCount === 0) return null;
    const written: AlertEvent[] = [];
    for (const event of w.events) {
      const { rows } = await client.query<EventRow>(
        `INSERT INTO alert_events (rule_id, rule_name, kind, at, value, threshold, severity, labels, summary, firing_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10) RETURNING ${EVENT_COLUMNS}`,
        [
          w.rule.id,
          w.rule.name,
          event.kind,
          w.evaluatedAt,
          w.value,
          w.rule.threshold,
          w.rule.severity,
          JSON.stringify(w.rule.labels),
          event.summary,
          event.kind === 'resolved' ? null : w.status.firingSince,
        ],
      );
      const stored = toEvent(rows[0]!);
      written.push(stored);
      if (!event.notify || w.rule.channelIds.length === 0) continue;
      const silenced = await client.query(
        // The silences in force as this transaction commits (not as the tick began).
        `SELECT 1 FROM alert_silences WHERE starts_at <= now() AND ends_at > now() AND (rule_id IS NULL OR rule_id = $1) AND $2::jsonb @> labels LIMIT 1`,
        [w.rule.id, JSON.stringify(w.rule.labels)],
      );
      const status: DeliveryStatus = w.rule.muted ? 'muted' : silenced.rowCount ? 'silenced' : 'pending';
      await client.query(
        `INSERT INTO alert_deliveries (event_id, channel_id, status)
         SELECT $1, c.id, $3 FROM alert_channels c WHERE c.id = ANY($2::uuid[]) ON CONFLICT DO NOTHING`,
        [stored.id, w.rule.channelIds, status],
      );
    }
    return written;
  });
}

/** Records an evaluation that failed (the state stays as it was). */
export async function recordEvaluationError(pool: pg.Pool, ruleId: string, message: string): Promise<void> {
  await pool.query('UPDATE alert_state SET last_error = $2, last_evaluated_at = now() WHERE rule_id = $1', [ruleId, message.slice(0, 500)]);
}

// ---------------------------------------------------------------------------------------------
// History

const EVENT_COLUMNS = 'id::text AS id, rule_id, rule_name, kind, at, value, threshold, severity, labels, summary, firing_since';

interface EventRow {
  id: string;
  rule_id: string | null;
  rule_name: string;
  kind: string;
  at: Date;
  value: number | null;
  threshold: number;
  severity: string;
  labels: AlertLabels;
  summary: string;
  firing_since: Date | null;
}

const toEvent = (r: EventRow): AlertEvent => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  kind: r.kind as AlertEventKind,
  at: r.at,
  value: r.value,
  threshold: r.threshold,
  severity: r.severity as AlertEvent['severity'],
  labels: r.labels,
  summary: r.summary,
  firingSince: r.firing_since,
});

/** Transitions in a range, newest first. */
export async function listEvents(
  pool: pg.Pool,
  options: { range: ResolvedRange; ruleId?: string | null; kinds?: readonly AlertEventKind[] | null; limit: number },
): Promise<AlertEvent[]> {
  const { rows } = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM alert_events WHERE at >= $1 AND at < $2 AND ($3::uuid IS NULL OR rule_id = $3)
       AND ($4::text[] IS NULL OR kind = ANY($4::text[])) ORDER BY at DESC, id DESC LIMIT $5`,
    [options.range.from, options.range.to, options.ruleId ?? null, options.kinds ?? null, options.limit],
  );
  return rows.map(toEvent);
}

// ---------------------------------------------------------------------------------------------
// Channels

interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  target: string;
  has_secret: boolean;
  created_at: Date;
  updated_at: Date;
}

const CHANNEL_COLUMNS = 'id, name, kind, target, secret IS NOT NULL AS has_secret, created_at, updated_at';
const toChannel = (r: ChannelRow): AlertChannel => ({
  id: r.id,
  name: r.name,
  kind: r.kind as AlertChannelKind,
  target: r.target,
  hasSecret: r.has_secret,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listChannels(pool: pg.Pool): Promise<AlertChannel[]> {
  const { rows } = await pool.query<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM alert_channels ORDER BY name`);
  return rows.map(toChannel);
}

export async function getChannel(pool: pg.Pool, id: string): Promise<AlertChannel | null> {
  const { rows } = await pool.query<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE id = $1`, [id]);
  return rows[0] ? toChannel(rows[0]) : null;
}

/** A channel with its secret, for signing only: never hand this to a resolver. */
export interface ChannelWithSecret extends AlertChannel {
  secret: string | null;
}

export async function getChannelForSending(pool: pg.Pool, id: string): Promise<ChannelWithSecret | null> {
  const { rows } = await pool.query<ChannelRow & { secret: string | null }>(
    `SELECT ${CHANNEL_COLUMNS}, secret FROM alert_channels WHERE id = $1`,
    [id],
  );
  return rows[0] ? { ...toChannel(rows[0]), secret: rows[0].secret } : null;
}

export async function insertChannel(
  pool: pg.Pool,
  c: { name: string; kind: AlertChannelKind; target: string; secret: string | null | undefined },
): Promise<AlertChannel> {
  try {
    const { rows } = await pool.query<ChannelRow>(
      `INSERT INTO alert_channels (id, name, kind, target, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${CHANNEL_COLUMNS}`,
      [randomUUID(), c.name, c.kind, c.target, c.secret ?? null],
    );
    return toChannel(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AlertNameTakenError(`name: a channel named "${c.name}" exists already`);
    throw error;
  }
}

/** `secret` undefined keeps the stored one, null removes it. */
export async function updateChannel(
  pool: pg.Pool,
  id: string,
  c: { name: string; kind: AlertChannelKind; target: string; secret: string | null | undefined },
): Promise<AlertChannel | null> {
  try {
    const { rows } = await pool.query<ChannelRow>(
      `UPDATE alert_channels SET name = $2, kind = $3, target = $4, secret = CASE WHEN $6 THEN secret ELSE $5 END, updated_at = now()
       WHERE id = $1 RETURNING ${CHANNEL_COLUMNS}`,
      [id, c.name, c.kind, c.target, c.secret ?? null, c.secret === undefined],
    );
    return rows[0] ? toChannel(rows[0]) : null;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AlertNameTakenError(`name: a channel named "${c.name}" exists already`);
    throw error;
  }
}

/** Deletes a channel and takes it out of every rule (its pending deliveries go with it). */
export async function deleteChannel(pool: pg.Pool, id: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    await client.query('UPDATE alert_rules SET channel_ids = array_remove(channel_ids, $1::uuid) WHERE $1::uuid = ANY(channel_ids)', [id]);
    const { rowCount } = await client.query('DELETE FROM alert_channels WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  });
}

// ---------------------------------------------------------------------------------------------
// Silences

interface SilenceRow {
  id: string;
  rule_id: string | null;
  labels: AlertLabels;
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_at: Date;
}
const toSilence = (r: SilenceRow): AlertSilence => ({
  id: r.id,
  ruleId: r.rule_id,
  labels: r.labels,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  comment: r.comment,
  createdAt: r.created_at,
});

/** Silences that have not ended (or all, newest first, with `includeEnded`). */
export async function listSilences(pool: pg.Pool, includeEnded = false): Promise<AlertSilence[]> {
  const { rows } = await pool.query<SilenceRow>(
    `SELECT * FROM alert_silences WHERE $1 OR ends_at > now() ORDER BY ends_at DESC LIMIT 500`,
    [includeEnded],
  );
  return rows.map(toSilence);
}

export class UnknownRuleError extends Error {}

export async function insertSilence(
  pool: pg.Pool,
  s: { ruleId: string | null; labels: AlertLabels; endsAt: Date; comment: string },
): Promise<AlertSilence> {
  try {
    const { rows } = await pool.query<SilenceRow>(
      'INSERT INTO alert_silences (id, rule_id, labels, ends_at, comment) VALUES ($1, $2, $3::jsonb, $4, $5) RETURNING *',
      [randomUUID(), s.ruleId, JSON.stringify(s.labels), s.endsAt, s.comment],
    );
    return toSilence(rows[0]!);
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new UnknownRuleError(`ruleId: no rule ${s.ruleId}`);
    throw error;
  }
}

/** Ends a silence now (kept for the record). */
export async function endSilence(pool: pg.Pool, id: string): Promise<AlertSilence | null> {
  const { rows } = await pool.query<SilenceRow>('UPDATE alert_silences SET ends_at = least(ends_at, now()) WHERE id = $1 RETURNING *', [
    id,
  ]);
  return rows[0] ? toSilence(rows[0]) : null;
}

// ---------------------------------------------------------------------------------------------
// Leader lease

/**
 * Takes or renews the lease `name` for `holder` when it is free, expired or already ours.
 * Returns whether `holder` leads, and the database clock (every replica judges time by it).
 */
export async function acquireLease(pool: pg.Pool, name: string, holder: string, ttlMs: number): Promise<{ leader: boolean; now: Date }> {
  const { rows } = await pool.query<{ holder: string; now: Date }>(
    `INSERT INTO alert_leader AS l (name, holder, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE l.holder = excluded.holder OR l.expires_at <= now()
     RETURNING holder, now() AS now`,
    [name, holder, ttlMs],
  );
  if (rows[0]) return { leader: true, now: rows[0].now };
  const { rows: current } = await pool.query<{ now: Date }>('SELECT now() AS now');
  return { leader: false, now: current[0]!.now };
}

/** Gives the lease up (on shutdown), so another replica takes over at its next tick. */
export async function releaseLease(pool: pg.Pool, name: string, holder: string): Promise<void> {
  await pool.query('DELETE FROM alert_leader WHERE name = $1 AND holder = $2', [name, holder]);
}

// ---------------------------------------------------------------------------------------------
// Deliveries (the outbox)

/** A delivery claimed for sending, with what the message needs. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  event: AlertEvent;
  channelId: string;
  rule: AlertRule | null;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs` (a crashed sender's claim lapses and another
 * picks the row up), counting the attempt. SKIP LOCKED keeps concurrent dispatchers apart.
 */
export async function claimDueDeliveries(pool: pg.Pool, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await pool.query<{ id: string; attempts: number; channel_id: string; event_id: string }>(
    `UPDATE alert_deliveries d SET attempts = d.attempts + 1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
     WHERE d.id IN (SELECT id FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
                      AND (lease_until IS NULL OR lease_until <= now())
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING d.id::text AS id, d.attempts, d.channel_id::text AS channel_id, d.event_id::text AS event_id`,
    [limit, leaseMs],
  );
  if (rows.length === 0) return [];
  const events = await pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE id = ANY($1::bigint[])`, [
    rows.map((r) => r.event_id),
  ]);
  const byId = new Map(events.rows.map((e) => [e.id, toEvent(e)]));
  const ruleIds = [...new Set(events.rows.map((e) => e.rule_id).filter((id): id is string => id !== null))];
  const rules = await pool.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules r WHERE r.id = ANY($1::uuid[])`, [ruleIds]);
  const rulesById = new Map(rules.rows.map((r) => [r.id, toRule(r)]));
  return rows.flatMap((r) => {
    const event = byId.get(r.event_id);
    if (!event) return [];
    return [
      { id: r.id, attempts: r.attempts, event, channelId: r.channel_id, rule: event.ruleId ? (rulesById.get(event.ruleId) ?? null) : null },
    ];
  });
}

export async function markDeliverySent(pool: pg.Pool, id: string, responseStatus: number | null): Promise<void> {
  await pool.query(
    `UPDATE alert_deliveries SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL, response_status = $2 WHERE id = $1`,
    [id, responseStatus],
  );
}

/** Records a failed attempt: retried after `retryInMs`, or given up (`failed`) when null. */
export async function markDeliveryFailed(
  pool: pg.Pool,
  id: string,
  error: string,
  responseStatus: number | null,
  retryInMs: number | null,
): Promise<void> {
  await pool.query(
    `UPDATE alert_deliveries SET last_error = $2, response_status = $3, lease_until = NULL,
       status = CASE WHEN $4::double precision IS NULL THEN 'failed' ELSE 'pending' END,
       next_attempt_at = CASE WHEN $4::double precision IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4::double precision / 1000) END
     WHERE id = $1`,
    [id, error.slice(0, 1000), responseStatus, retryInMs],
  );
}

interface DeliveryRow {
  id: string;
  event_id: string;
  channel_id: string;
  channel_name: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  response_status: number | null;
  created_at: Date;
  sent_at: Date | null;
}

/** Deliveries of some events (or the newest ones), newest first. */
export async function listDeliveries(
  pool: pg.Pool,
  options: { eventIds?: readonly string[] | null; limit: number },
): Promise<AlertDelivery[]> {
  const { rows } = await pool.query<DeliveryRow>(
    `SELECT d.id::text AS id, d.event_id::text AS event_id, d.channel_id::text AS channel_id, c.name AS channel_name, d.status, d.attempts,
            d.next_attempt_at, d.last_error, d.response_status, d.created_at, d.sent_at
     FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id
     WHERE $1::bigint[] IS NULL OR d.event_id = ANY($1::bigint[])
     ORDER BY d.id DESC LIMIT $2`,
    [options.eventIds ?? null, options.limit],
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    channelId: r.channel_id,
    channelName: r.channel_name,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    responseStatus: r.response_status,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}
