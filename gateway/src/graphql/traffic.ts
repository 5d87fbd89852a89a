import { builder } from './builder.ts';
import { effectiveRange } from '../storage/rollup-read.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { getTraffic, type TrafficPoint } from '../analytics/traffic.ts';
import { analyticsArgs, analyticsInput, bucketArg, errorFields, latencyFields } from './analytics-common.ts';
import { ResolvedTimeRange } from './time-range.ts';

export const TrafficPointRef = builder.objectRef<TrafficPoint>('TrafficPoint').implement({
  description: 'Requests, errors and latency in one time bucket (zeros and null latency when nothing happened).',
  fields: (t) => ({
    bucket: t.expose('bucket', { type: 'DateTime', description: 'Start of the bucket (UTC-aligned).' }),
    requests: t.exposeInt('count', { description: 'Requests in the bucket.' }),
    ...errorFields(t),
    ...latencyFields(t),
  }),
});

interface TrafficResult {
  range: ResolvedRange;
  bucketSeconds: number;
  points: TrafficPoint[];
}

const TrafficRef = builder.objectRef<TrafficResult>('Traffic').implement({
  description: 'A traffic time series: one point per bucket across the whole range.',
  fields: (t) => ({
    range: t.field({ type: ResolvedTimeRange, description: 'The range covered, in whole minutes.', resolve: (r) => r.range }),
    bucketSeconds: t.exposeInt('bucketSeconds', { description: 'Bucket size in seconds (chosen from the range when not given).' }),
    points: t.field({
      type: [TrafficPointRef],
      description: 'One point per bucket, oldest first, empty buckets included.',
      resolve: (r) => r.points,
    }),
  }),
});

builder.queryField('traffic', (t) =>
  t.field({
    type: TrafficRef,
    description:
      'Requests, errors (4xx/5xx) and latency percentiles per time bucket, with empty buckets filled with zeros. Without `bucket` the size follows the range: 1m up to 1h, 5m up to 6h, 15m up to 24h, 1h up to 7d, 6h up to 125 days (at most 500 points), 1d up to 500 days, then 7d.',
    args: {
      ...analyticsArgs(t.arg),
      bucket: t.arg.string({
        required: false,
        description: 'Bucket size such as "1m", "5m", "1h", "1d" (whole minutes; at most 1500 buckets in the range).',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const { range, filter } = analyticsInput(args, ctx);
      const traffic = await getTraffic(ctx.db.pool, { range, filter, bucketSeconds: bucketArg(args.bucket, range) });
      return { range: effectiveRange(range), ...traffic };
    },
  }),
);
