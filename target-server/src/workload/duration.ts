const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(-?)(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** Parses "1500ms", "30s", "5m", "2h", "7d", "1w" (a leading "-" is kept) into milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new Error(`invalid duration "${text}": expected a number and a unit (ms, s, m, h, d, w), e.g. "5m"`);
  }
  const [, sign, amount, unit] = match;
  const ms = Number(amount) * (UNIT_MS[unit as string] as number);
  return sign === '-' ? -ms : ms;
}

/** A duration given as milliseconds or as text. */
export function toMilliseconds(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${what} must be a finite number of milliseconds`);
    return value;
  }
  try {
    return parseDuration(value);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}
