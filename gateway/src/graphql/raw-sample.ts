import { builder } from './builder.ts';
import { DEFAULT_RAW_SAMPLE_ROWS } from '../storage/raw-sample-plan.ts';
import type { RawSample } from '../storage/raw-top.ts';

export const RawLogSampleRef = builder.objectRef<RawSample>('RawLogSample').implement({
  description: `What a top list from raw logs (user agents, client IPs) was counted over. Up to the gateway's bound (ANALYTICS_RAW_SAMPLE_ROWS, default ${DEFAULT_RAW_SAMPLE_ROWS.toLocaleString('en-US')} records) every record of the range is counted; past it, a sample of that many records spread over the whole range in proportion to each hour's traffic (the newest records of short slices of every hour). Counts are then of the sample, and shares (count / rows) estimate the shares in the whole range. Totals from rollups in the same answer stay exact.`,
  fields: (t) => ({
    rows: t.exposeInt('rows', { description: 'Raw records matching the filter that the lists were counted over.' }),
    of: t.exposeInt('of', { description: 'Requests in the range matching the filter, from the rollups (exact).' }),
    sampled: t.exposeBoolean('sampled', {
      description: 'True when the range held more records than the bound, so a spread sample was counted instead of every record.',
    }),
    exact: t.exposeBoolean('exact', {
      description:
        'True when every request of the range was counted (rows = of), so counts and shares are exact. False when sampled, or when raw logs of part of the range are past retention (RETENTION_DAYS).',
    }),
  }),
});
