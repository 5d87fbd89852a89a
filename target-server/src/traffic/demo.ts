import type { BackfillOptions } from './backfill.ts';

/**
 * What `npm start` runs as demo traffic, in one place so the first start's history and the live
 * traffic after it are the same service's normal day: the same mean rate and the same daily curve
 * ($TZ). A history at another rate made the first live minutes look like a traffic spike (or
 * drop) to anomalies, Insights and the AI analyst.
 */
export const DEMO_RATE = 5;

/** History written on first start: a day, with two past incidents to find (none in the last 3 hours). */
export const DEMO_HISTORY = {
  window: '24h',
  incidents: ['errors:/api/users:10m@-3h', 'latency:/api/products:15m@-7h'],
} as const;

/** The demo's live rate: $DEMO_RATE (req/s) or DEMO_RATE. */
export function demoRate(env: NodeJS.ProcessEnv = process.env): number {
  const rate = env.DEMO_RATE === undefined || env.DEMO_RATE === '' ? DEMO_RATE : Number(env.DEMO_RATE);
  if (!(Number.isFinite(rate) && rate > 0))
    throw new Error(`DEMO_RATE must be a positive number of requests per second, got "${env.DEMO_RATE}"`);
  return rate;
}

/** The first start's backfill: the live demo's rate and curve over DEMO_HISTORY. */
export function demoBackfillOptions(rate: number, overrides: Partial<BackfillOptions> = {}): BackfillOptions {
  return { window: DEMO_HISTORY.window, rate, incidents: [...DEMO_HISTORY.incidents], ...overrides };
}
