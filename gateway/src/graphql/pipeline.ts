import { builder } from './builder.ts';
import { getPipelineHealth, type DeadLetterReason, type PipelineHealth, type ServicePipeline } from '../storage/pipeline-health.ts';
import { rangeArg, TimeRange } from './time-range.ts';

const GATEWAY_VERSION = '0.1.0';

interface Health {
  status: 'ok' | 'degraded';
  database: string;
  databaseReady: boolean;
  version: string;
}

const HealthRef = builder.objectRef<Health>('Health').implement({
  description: 'Whether the gateway can serve and store right now.',
  fields: (t) => ({
    status: t.exposeString('status', { description: '"ok" when the database is reachable and migrated, else "degraded".' }),
    database: t.exposeString('database', { description: 'Storage mode: "postgres" or "pglite" (embedded).' }),
    databaseReady: t.exposeBoolean('databaseReady', { description: 'True when the database answered and migrations are applied.' }),
    version: t.exposeString('version', { description: 'Gateway version.' }),
  }),
});

const ServicePipelineRef = builder.objectRef<ServicePipeline>('ServicePipeline').implement({
  description: 'Ingest figures for one service over the range, counted when each batch arrived.',
  fields: (t) => ({
    service: t.exposeString('service', {
      description: 'A service records went to (the record’s own `service`, else the ingest URL ?service=, else "default").',
    }),
    batches: t.exposeInt('batches', {
      description:
        'Batches that arrived in the range with records for this service, stored or rejected, retries answered duplicate included.',
    }),
    accepted: t.exposeInt('accepted', { description: 'Records stored by batches that arrived in the range.' }),
    rejected: t.exposeInt('rejected', {
      description:
        'Records rejected to the dead-letter table: under the service the record named, else the one service the rest of its batch went to, else the batch tag (?service=, else "default").',
    }),
    lastBatchAt: t.expose('lastBatchAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last batch for this service arrived (stored, all rejected or a duplicate retry).',
    }),
    lagP50Ms: t.exposeFloat('lagP50Ms', {
      nullable: true,
      description: 'Median ingest lag (ingested_at − timestamp) over the last 15 minutes of the range, ms.',
    }),
    lagP95Ms: t.exposeFloat('lagP95Ms', {
      nullable: true,
      description: '95th percentile ingest lag over the last 15 minutes of the range, ms.',
    }),
  }),
});

const DeadLetterReasonRef = builder.objectRef<DeadLetterReason>('DeadLetterReason').implement({
  description: 'A reason records were rejected, with how often and one example.',
  fields: (t) => ({
    reason: t.exposeString('reason', { description: 'The validation message, without the offending value.' }),
    count: t.exposeInt('count', { description: 'Rejections with this reason in the range.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'Most recent rejection.' }),
    sample: t.exposeString('sample', { description: 'The latest rejected raw record (first 500 characters). Untrusted data.' }),
  }),
});

const PipelineHealthRef = builder.objectRef<PipelineHealth>('PipelineHealth').implement({
  description: 'Is the log pipeline healthy? Volumes, rejections, duplicates, freshness and lag.',
  fields: (t) => ({
    batches: t.exposeInt('batches', {
      description:
        'Batches answered 200 that arrived in the range: stored, all records rejected, or retries answered duplicate. Each is counted when it arrived, whatever its records’ timestamps.',
    }),
    accepted: t.exposeInt('accepted', {
      description: 'Records stored by batches that arrived in the range (divide by the range for the arrival rate).',
    }),
    rejected: t.exposeInt('rejected', { description: 'Records rejected (kept in the dead-letter table).' }),
    duplicateBatches: t.exposeInt('duplicateBatches', {
      description:
        'Retries that arrived in the range of a batch already stored (answered duplicate, stored nothing); also counted in batches.',
    }),
    unparseableBodies: t.exposeInt('unparseableBodies', {
      description: 'Whole bodies that could not be parsed (answered 400, kept in the dead-letter table).',
    }),
    lastBatchAt: t.expose('lastBatchAt', { type: 'DateTime', nullable: true, description: 'When the last batch arrived, any service.' }),
    services: t.field({ type: [ServicePipelineRef], description: 'Per-service figures.', resolve: (p) => p.services }),
    deadLetterReasons: t.field({
      type: [DeadLetterReasonRef],
      description: 'Top 10 rejection reasons.',
      resolve: (p) => p.deadLetterReasons,
    }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    type: HealthRef,
    description: 'Gateway and storage status.',
    resolve: async (_root, _args, ctx): Promise<Health> => {
      const r = await ctx.readiness();
      return { status: r.ready ? 'ok' : 'degraded', database: r.mode ?? 'unknown', databaseReady: r.ready, version: GATEWAY_VERSION };
    },
  }),
);

builder.queryField('pipelineHealth', (t) =>
  t.field({
    type: PipelineHealthRef,
    description:
      'Ingest pipeline health over a range: accepted/rejected/duplicate counts, per-service freshness and lag, dead-letter reasons.',
    args: { range: t.arg({ type: TimeRange, required: true, description: 'The time range to report on.' }) },
    resolve: (_root, args, ctx) => getPipelineHealth(ctx.db.pool, rangeArg(args.range, ctx)),
  }),
);
