/** A time range as clients send it: either `last` (a duration back from now) or from/to. */
export interface RangeInput {
  from?: Date | null;
  to?: Date | null;
  last?: string | null;
}

export interface ResolvedRange {
  from: Date;
  to: Date;
}

/** The presets the dashboard offers; any `<n>m|h|d` duration is accepted too. */
export const RANGE_PRESETS = ['5m', '15m', '1h', '6h', '24h', '7d', '30d'] as const;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Thrown for a range a client got wrong; resolvers turn it into a BAD_USER_INPUT error. */
export class RangeInputError extends Error {}

export function parseDuration(text: string): number {
  const match = /^\s*(\d{1,6})\s*([smhdw])\s*$/i.exec(text);
  if (!match) throw new RangeInputError(`"${text.slice(0, 20)}" is not a duration like 5m, 1h, 24h or 7d`);
  return Number(match[1]) * (UNIT_MS[match[2]!.toLowerCase()] ?? 0);
}

/**
 * Resolves a RangeInput against `now`. Exactly one of `last` or `from` must be given; `to`
 * defaults to now. Ranges must be positive and no longer than `maxDays`.
 */
export function resolveRange(input: RangeInput, now: number = Date.now(), maxDays = 400): ResolvedRange {
  if (input.last && (input.from || input.to)) throw new RangeInputError('give either range.last or range.from/to, not both');
  let from: number;
  let to: number;
  if (input.last) {
    to = now;
    from = now - parseDuration(input.last);
  } else if (input.from) {
    from = input.from.getTime();
    to = input.to ? input.to.getTime() : now;
  } else {
    throw new RangeInputError('range needs last (e.g. "1h") or from (and optionally to)');
  }
  if (!(to > from)) throw new RangeInputError('range.to must be after range.from');
  if (to - from > maxDays * UNIT_MS.d!) throw new RangeInputError(`range is longer than ${maxDays} days`);
  return { from: new Date(from), to: new Date(to) };
}
