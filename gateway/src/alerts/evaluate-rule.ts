import type pg from 'pg';
import { NOTIFIED_EVENT_KINDS, type AlertEvent } from '../domain/alert.ts';
import { combineMeasures, effectiveRange, latencyOf, readRollups } from '../storage/rollup-read.ts';
import { readIngestLag } from '../storage/ingest-arrivals.ts';
import { quantile } from '../storage/histogram.ts';
import { writeEvaluation, type RuleStatus } from '../storage/alerts.ts';
import { evaluateCondition, needsLatency, readsArrivals, summarize, type WindowFigures } from './conditions.ts';
import { nextStatus } from './state-machine.ts';
import { getAnomalies } from '../insights/anomalies/read.ts';
import { severityRank } from '../domain/severity.ts';

/** Anomalies of the rule's kind and severity in its window (the insights detector, also from the rollups). */
async function countAnomalies(pool: pg.Pool, rule: RuleStatus['rule'], range: { from: Date; to: Date }): Promise<number> {
  const report = await getAnomalies(pool, {
    range,
    filter: { service: rule.service, route: rule.route, method: rule.method },
    now: range.to.getTime(),
  });
  const floor = severityRank(rule.minSeverity);
  return report.anomalies.filter((a) => (rule.anomalyKind === null || a.kind === rule.anomalyKind) && severityRank(a.severity) >= floor)
    .length;
}

/** The figures of a rule's window from the rollups: cost grows with minutes, never with rows. */
async function readWindow(pool: pg.Pool, rule: RuleStatus['rule'], now: Date): Promise<WindowFigures> {
  const range = { from: new Date(now.getTime() - rule.windowSeconds * 1000), to: now };
  if (rule.kind === 'anomaly') {
    return {
      count: 0,
      errors4xx: 0,
      errors5xx: 0,
      p95: null,
      p99: null,
      minutes: rule.windowSeconds / 60,
      anomalies: await countAnomalies(pool, rule, range),
    };
  }
  if (readsArrivals(rule.kind)) return readLagWindow(pool, rule, range);
  const rows = await readRollups(pool, {
    range,
    filter: { service: rule.service, route: rule.route, method: rule.method },
    groupBy: [],
    histograms: needsLatency(rule.kind),
  });
  const measures = combineMeasures(rows);
  const latency = latencyOf(measures);
  const covered = effectiveRange(range);
  return {
    count: measures.count,
    errors4xx: measures.errors4xx,
    errors5xx: measures.errors5xx,
    p95: latency.p95,
    p99: latency.p99,
    minutes: (covered.to.getTime() - covered.from.getTime()) / 60_000,
  };
}

/**
 * Ingest lag from the arrivals bookkeeping (one row per request, by arrival time): the p95 of
 * record lag, each batch's records counted at its oldest record's lag, so an upper bound.
 */
async function readLagWindow(pool: pg.Pool, rule: RuleStatus['rule'], range: { from: Date; to: Date }): Promise<WindowFigures> {
  const lag = await readIngestLag(pool, { ...range, service: rule.service });
  const p95 = lag.maxMs === null ? null : quantile(lag.histogram, 0.95, lag.maxMs);
  return {
    count: lag.records,
    errors4xx: 0,
    errors5xx: 0,
    p95: null,
    p99: null,
    minutes: rule.windowSeconds / 60,
    lagSeconds: p95 === null ? null : p95 / 1000,
  };
}

/**
 * Evaluates one rule at `now` (the database clock) and records the outcome: the new state, the
 * transitions and their outbox rows, in one transaction. Returns the events written (empty when
 * nothing changed) or null when another evaluator got there first or the lease was lost.
 */
export async function evaluateRule(
  pool: pg.Pool,
  current: RuleStatus,
  now: Date,
  lease: { name: string; holder: string },
): Promise<AlertEvent[] | null> {
  const { rule } = current;
  const figures = await readWindow(pool, rule, now);
  const evaluation = evaluateCondition(rule, figures);
  const step = nextStatus(current.status, evaluation, { forSeconds: rule.forSeconds, reminderSeconds: rule.reminderSeconds }, now);
  return writeEvaluation(pool, {
    rule,
    expectedVersion: current.version,
    status: step.status,
    value: evaluation.value,
    evaluatedAt: now,
    events: step.events.map((kind) => ({ kind, summary: summarize(rule, kind, evaluation.value), notify: NOTIFIED_EVENT_KINDS.has(kind) })),
    lease,
  });
}
