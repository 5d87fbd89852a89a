import { builder } from './builder.ts';
import type { AnomalyKind, AnomalyUnit, BaselineKind, DetectedAnomaly, Direction } from '../insights/anomalies/rules.ts';
import {
  getAnomalies,
  MAX_ANOMALY_RANGE_DAYS,
  SENSITIVITY_THRESHOLDS,
  type AnomalyReport,
  type Sensitivity,
} from '../insights/anomalies/read.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { analyticsArgs, analyticsInput, badInput } from './analytics-common.ts';
import { EvidenceRef } from './evidence.ts';
import { SeverityRef } from './insight-severity.ts';
import { ResolvedTimeRange } from './time-range.ts';

export const AnomalyKindRef = builder.enumType('AnomalyKind', {
  description: 'What was unusual.',
  values: {
    TRAFFIC_SPIKE: { value: 'TRAFFIC_SPIKE', description: 'Far more requests than usual.' },
    TRAFFIC_DROP: {
      value: 'TRAFFIC_DROP',
      description: 'Far fewer requests than usual (at most half), e.g. an outage or a broken client.',
    },
    ERROR_RATE: { value: 'ERROR_RATE', description: 'The share of 5xx responses rose well above usual.' },
    LATENCY: { value: 'LATENCY', description: 'p95 latency rose well above usual.' },
  } as const satisfies Record<AnomalyKind, { value: AnomalyKind; description: string }>,
});

const DirectionRef = builder.enumType('AnomalyDirection', {
  description: 'Whether the value was above or below its baseline.',
  values: {
    UP: { value: 'UP', description: 'Above the baseline.' },
    DOWN: { value: 'DOWN', description: 'Below the baseline.' },
  } as const satisfies Record<Direction, { value: Direction; description: string }>,
});

const BaselineKindRef = builder.enumType('BaselineKind', {
  description: 'Which history an anomaly was judged against.',
  values: {
    TRAILING: {
      value: 'TRAILING',
      description: 'The buckets just before it (the previous hour of minutes, 3 hours of 5-minute buckets, or day of hours).',
    },
    SEASONAL: {
      value: 'SEASONAL',
      description:
        'The same hour of day (or of the week) in earlier days (weeks); used once 3 cycles of history exist, and only when the trailing window agrees.',
    },
  } as const satisfies Record<BaselineKind, { value: BaselineKind; description: string }>,
});

const UnitRef = builder.enumType('AnomalyUnit', {
  description: 'Unit of observed, baseline and spread.',
  values: {
    REQUESTS: { value: 'requests', description: 'Requests per bucket.' },
    RATIO: { value: 'ratio', description: 'A fraction 0..1 (the 5xx rate).' },
    MS: { value: 'ms', description: 'Milliseconds (p95 latency).' },
  } as const satisfies Record<string, { value: AnomalyUnit; description: string }>,
});

const SensitivityRef = builder.enumType('AnomalySensitivity', {
  description: `How unusual a bucket must be (robust z-score): LOW ${SENSITIVITY_THRESHOLDS.LOW}, MEDIUM ${SENSITIVITY_THRESHOLDS.MEDIUM}, HIGH ${SENSITIVITY_THRESHOLDS.HIGH}.`,
  values: {
    LOW: { value: 'LOW', description: `Only glaring anomalies (z ≥ ${SENSITIVITY_THRESHOLDS.LOW}).` },
    MEDIUM: {
      value: 'MEDIUM',
      description: `The default (z ≥ ${SENSITIVITY_THRESHOLDS.MEDIUM}): quiet on normal traffic, catches real incidents.`,
    },
    HIGH: { value: 'HIGH', description: `More findings, some of them noise (z ≥ ${SENSITIVITY_THRESHOLDS.HIGH}).` },
  } as const satisfies Record<Sensitivity, { value: Sensitivity; description: string }>,
});

const SeasonalityRef = builder.enumType('Seasonality', {
  description: 'The longest seasonal baseline the stored history allowed.',
  values: {
    NONE: { value: 'NONE', description: 'Under 3 days of history: trailing baselines only.' },
    DAILY: { value: 'DAILY', description: 'At least 3 days: same hour of day.' },
    WEEKLY: { value: 'WEEKLY', description: 'At least 3 weeks: same hour of the week.' },
  } as const,
});

const AnomalyRef = builder.objectRef<DetectedAnomaly>('Anomaly').implement({
  description:
    'A window of consecutive unusual buckets in one series (overall or one endpoint), with the numbers that make it unusual: observed value, baseline median, spread and robust z-score = (observed − baseline) / spread.',
  fields: (t) => ({
    kind: t.field({ type: AnomalyKindRef, description: 'What was unusual.', resolve: (a) => a.kind }),
    service: t.exposeString('service', { nullable: true, description: 'Service; null for the overall series without a service filter.' }),
    method: t.exposeString('method', { nullable: true, description: 'HTTP method; null for the overall series.' }),
    route: t.exposeString('route', { nullable: true, description: 'Templated route; null for the overall series.' }),
    start: t.expose('start', { type: 'DateTime', description: 'Start of the first unusual bucket.' }),
    end: t.expose('end', { type: 'DateTime', description: 'End of the last unusual bucket (exclusive).' }),
    peakAt: t.expose('peakAt', {
      type: 'DateTime',
      description: 'Start of the most unusual bucket, which observed/baseline/score describe.',
    }),
    buckets: t.exposeInt('buckets', { description: 'Unusual buckets merged into this window.' }),
    bucketSeconds: t.exposeInt('bucketSeconds', {
      description:
        'Size of those buckets: the report’s bucketSeconds, or coarser for a series with too few requests per bucket to judge (the smallest of 5 min, 15 min or 1 h averaging ≥ 20 requests).',
    }),
    unit: t.field({ type: UnitRef, description: 'Unit of observed, baseline and spread.', resolve: (a) => a.unit }),
    observed: t.exposeFloat('observed', { description: 'Value in the peak bucket (requests per bucket, 5xx ratio 0..1, or p95 ms).' }),
    baseline: t.exposeFloat('baseline', {
      description: 'Usual value: the median of the baseline (for 5xx rates, at least the pooled rate).',
    }),
    spread: t.exposeFloat('spread', {
      description: 'Spread used for the score: 1.4826 × MAD, floored by the noise expected at this volume.',
    }),
    score: t.exposeFloat('score', { description: 'Robust z-score of the peak bucket: (observed − baseline) / spread.' }),
    direction: t.field({ type: DirectionRef, description: 'Above or below the baseline.', resolve: (a) => a.direction }),
    severity: t.field({ type: SeverityRef, description: 'How much it matters, from the size of the change.', resolve: (a) => a.severity }),
    baselineKind: t.field({ type: BaselineKindRef, description: 'Trailing or seasonal baseline.', resolve: (a) => a.baselineKind }),
    baselineDescription: t.exposeString('baselineDescription', { description: 'The baseline in words, e.g. "the previous 60 minutes".' }),
    baselineSamples: t.exposeInt('baselineSamples', { description: 'Buckets the baseline was computed from.' }),
    requests: t.exposeInt('requests', { description: 'Requests over the whole window.' }),
    errors: t.exposeInt('errors', { description: '5xx responses over the whole window.' }),
    explanation: t.exposeString('explanation', {
      description:
        'One or two sentences saying what happened and why it counts as unusual. Contains route names from logs: untrusted text.',
    }),
    evidence: t.field({ type: [EvidenceRef], description: 'The numbers behind it.', resolve: (a) => a.evidence }),
  }),
});

type AnomalyReportResult = AnomalyReport & { range: ResolvedRange; sensitivity: Sensitivity };

const AnomalyReportRef = builder.objectRef<AnomalyReportResult>('AnomalyReport').implement({
  description: 'Anomalies found in a range, with how the search was done.',
  fields: (t) => ({
    range: t.field({ type: ResolvedTimeRange, description: 'The range asked for.', resolve: (r) => r.range }),
    analysed: t.field({
      type: ResolvedTimeRange,
      nullable: true,
      description:
        'The complete buckets judged: the range aligned to buckets, without the newest bucket while it may still be filling (30 s grace). Null when no bucket was complete.',
      resolve: (r) => r.analysed,
    }),
    bucketSeconds: t.exposeInt('bucketSeconds', { description: 'Bucket size: 60 for ranges up to 6 h, 300 up to 24 h, 3600 beyond.' }),
    sensitivity: t.field({ type: SensitivityRef, description: 'The sensitivity used.', resolve: (r) => r.sensitivity }),
    threshold: t.exposeFloat('threshold', { description: 'Robust z-score a bucket had to reach.' }),
    seasonality: t.field({
      type: SeasonalityRef,
      description:
        'Seasonal baseline available from the stored history of the traffic analysed (the `service`, `route` and `method` asked for): DAILY from 3 days, WEEKLY from 3 weeks.',
      resolve: (r) => r.seasonality,
    }),
    historyStart: t.expose('historyStart', {
      type: 'DateTime',
      nullable: true,
      description:
        'Oldest stored hour of the traffic analysed (of the `service`, `route` and `method` asked for); null when there is none.',
    }),
    seriesAnalysed: t.exposeInt('seriesAnalysed', { description: 'Series watched: overall plus up to 20 busy endpoints.' }),
    anomalies: t.field({ type: [AnomalyRef], description: 'Most severe first, then most recent.', resolve: (r) => r.anomalies }),
  }),
});

builder.queryField('anomalies', (t) =>
  t.field({
    type: AnomalyReportRef,
    description:
      'Unusual traffic volume, 5xx rate or p95 latency, overall and per busy endpoint. Each complete bucket is compared with a robust baseline that excludes it (median and MAD of the trailing window; the same hour in earlier days/weeks once 3 cycles of history exist); consecutive unusual buckets form one anomaly.',
    args: {
      ...analyticsArgs(t.arg),
      sensitivity: t.arg({ type: SensitivityRef, required: false, description: 'How unusual a bucket must be; default MEDIUM.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      if (range.to.getTime() - range.from.getTime() > MAX_ANOMALY_RANGE_DAYS * 86_400_000) {
        throw badInput(`range: anomalies looks at most ${MAX_ANOMALY_RANGE_DAYS} days at a time`, 'range');
      }
      const sensitivity = args.sensitivity ?? 'MEDIUM';
      const report = await getAnomalies(ctx.db.pool, { range, filter, sensitivity, now: ctx.clock.now(), cache: ctx.anomalyCache });
      return { ...report, range, sensitivity };
    },
  }),
);
