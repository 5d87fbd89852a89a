/** Plain alerting types shared by storage, the evaluator, live fan-out and GraphQL. */
import type { Severity } from './severity.ts';

/** What a rule measures over its window (README "Alerts" lists them with examples). */
export const ALERT_CONDITION_KINDS = [
  'error_rate',
  'server_error_rate',
  'p95',
  'p99',
  'request_rate_above',
  'request_rate_below',
  'no_data',
  'ingest_lag',
  'anomaly',
] as const;
export type AlertConditionKind = (typeof ALERT_CONDITION_KINDS)[number];

export const ALERT_STATES = ['inactive', 'pending', 'firing', 'resolved'] as const;
export type AlertStateName = (typeof ALERT_STATES)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Transitions recorded in the history; only firing, resolved and reminder are notified. */
export const ALERT_EVENT_KINDS = ['pending', 'firing', 'resolved', 'reminder', 'cancelled'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];
export const NOTIFIED_EVENT_KINDS: ReadonlySet<AlertEventKind> = new Set(['firing', 'resolved', 'reminder']);

export const ALERT_CHANNEL_KINDS = ['webhook', 'slack', 'email'] as const;
export type AlertChannelKind = (typeof ALERT_CHANNEL_KINDS)[number];

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'silenced', 'muted'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type AlertLabels = Record<string, string>;

/** A rule as stored. */
export interface AlertRule {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  muted: boolean;
  kind: AlertConditionKind;
  threshold: number;
  /** Where a firing alert resolves (hysteresis); null: the threshold itself. */
  resolveThreshold: number | null;
  service: string | null;
  route: string | null;
  method: string | null;
  windowSeconds: number;
  forSeconds: number;
  intervalSeconds: number;
  /** Below this many requests in the window a rate or percentile proves nothing. */
  minRequests: number;
  severity: AlertSeverity;
  labels: AlertLabels;
  channelIds: string[];
  /** Repeat the firing notification this often while it lasts; null: never. */
  reminderSeconds: number | null;
  /** Anomaly rules: the anomaly kind that counts (insights/anomalies), null for any. */
  anomalyKind: AnomalyKindName | null;
  /** Anomaly rules: the least severity that counts. */
  minSeverity: Severity;
  createdAt: Date;
  updatedAt: Date;
}

export const ANOMALY_KIND_NAMES = ['TRAFFIC_SPIKE', 'TRAFFIC_DROP', 'ERROR_RATE', 'LATENCY'] as const;
export type AnomalyKindName = (typeof ANOMALY_KIND_NAMES)[number];

/** Where a rule's evaluation stands. */
export interface AlertStatus {
  state: AlertStateName;
  since: Date;
  pendingSince: Date | null;
  firingSince: Date | null;
  lastNotifiedAt: Date | null;
}

/** One recorded transition (a row of the alert history, and what alertEvents streams). */
export interface AlertEvent {
  id: string;
  ruleId: string | null;
  ruleName: string;
  kind: AlertEventKind;
  at: Date;
  value: number | null;
  threshold: number;
  severity: AlertSeverity;
  labels: AlertLabels;
  summary: string;
  firingSince: Date | null;
}

/** A notification channel; the secret never leaves storage except to sign. */
export interface AlertChannel {
  id: string;
  name: string;
  kind: AlertChannelKind;
  target: string;
  hasSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface AlertSilence {
  id: string;
  ruleId: string | null;
  labels: AlertLabels;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdAt: Date;
}

export interface AlertDelivery {
  id: string;
  eventId: string;
  channelId: string;
  channelName: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  responseStatus: number | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** How one delivery attempt ended: sent, failed with a retry scheduled, or failed for good. */
export type DeliveryOutcome = 'sent' | 'retrying' | 'failed';

/**
 * What a replica's alerting reports as it works, for the gateway's metrics (app.ts wires it to
 * http/metrics.ts; a callback rather than a global channel, so gateways in one process stay apart).
 */
export interface AlertingObserver {
  /** One rule evaluated in `seconds`; ok false when the evaluation threw (recorded as the rule's lastError). */
  evaluated(seconds: number, ok: boolean): void;
  /** One delivery attempt to a channel of `channelKind` ("unknown": the channel was deleted meanwhile). */
  delivered(channelKind: AlertChannelKind | 'unknown', outcome: DeliveryOutcome): void;
}
