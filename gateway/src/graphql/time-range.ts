import { InvalidInputError } from '../domain/errors.ts';
import { builder } from './builder.ts';
import { RangeInputError, resolveRange, type RangeInput, type ResolvedRange } from '../domain/time-range.ts';
import type { GatewayContext } from '../context.ts';

export const TimeRange = builder.inputType('TimeRange', {
  description:
    'A time range: either `last` (a duration back from now: 5m, 15m, 1h, 6h, 24h, 7d, 30d, or any <n>m|h|d) or `from` with an optional `to` (default now).',
  fields: (t) => ({
    last: t.string({ required: false, description: 'Duration back from now, e.g. "5m", "1h", "24h", "7d".' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Start of the range (inclusive).' }),
    to: t.field({ type: 'DateTime', required: false, description: 'End of the range (exclusive); defaults to now.' }),
  }),
});

/** Resolves a TimeRange argument, turning mistakes into BAD_USER_INPUT errors. */
export function rangeArg(input: RangeInput, ctx: GatewayContext): ResolvedRange {
  try {
    return resolveRange(input, ctx.clock.now(), Math.max(ctx.config.rollupRetentionDays, ctx.config.retentionDays));
  } catch (error) {
    if (error instanceof RangeInputError) throw new InvalidInputError(error.message, 'range');
    throw error;
  }
}

export const ResolvedTimeRange = builder.objectRef<ResolvedRange>('ResolvedTimeRange').implement({
  description: 'The absolute range an analysis covered.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', description: 'Start (inclusive).' }),
    to: t.expose('to', { type: 'DateTime', description: 'End (exclusive).' }),
  }),
});
