/** Range presets offered in the header, shortest first. */
export const RANGE_PRESETS = ['5m', '15m', '1h', '6h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export type RangeSelection =
  | { kind: 'preset'; preset: RangePreset }
  | { kind: 'custom'; from: string; to: string };

/** The GraphQL `TimeRange` input: a duration back from now, or absolute instants. */
export type TimeRangeInput = { last: string } | { from: string; to: string };

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function isRangePreset(value: string | null | undefined): value is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(value ?? '');
}

export function presetDurationMs(preset: RangePreset): number {
  const unit = preset.slice(-1) as keyof typeof UNIT_MS;
  return Number(preset.slice(0, -1)) * UNIT_MS[unit];
}

export function toTimeRangeInput(range: RangeSelection): TimeRangeInput {
  return range.kind === 'preset' ? { last: range.preset } : { from: range.from, to: range.to };
}

/** Absolute bounds of a selection as of `now` (presets end now). */
export function resolveRange(range: RangeSelection, now: number): { from: number; to: number } {
  if (range.kind === 'custom') return { from: Date.parse(range.from), to: Date.parse(range.to) };
  return { from: now - presetDurationMs(range.preset), to: now };
}

/** The period of equal length just before the selection, for "change vs previous period". */
export function previousPeriod(range: RangeSelection, now: number): { from: string; to: string } {
  const { from, to } = resolveRange(range, now);
  return { from: new Date(from - (to - from)).toISOString(), to: new Date(from).toISOString() };
}

/** A bucket size that keeps a time series readable (about 30–120 points) for the range. */
export function bucketFor(range: RangeSelection, now: number): '1m' | '5m' | '15m' | '1h' | '6h' | '1d' {
  const { from, to } = resolveRange(range, now);
  const span = to - from;
  if (span <= 2 * UNIT_MS.h) return '1m';
  if (span <= 8 * UNIT_MS.h) return '5m';
  if (span <= 26 * UNIT_MS.h) return '15m';
  if (span <= 8 * UNIT_MS.d) return '1h';
  if (span <= 31 * UNIT_MS.d) return '6h';
  return '1d';
}
