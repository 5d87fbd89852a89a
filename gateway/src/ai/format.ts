/** Number and time formatting shared by the offline analyst and the offline chat. */

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** "1,850 ms", "42.5 ms", "—" for no value. */
export function ms(value: number | null | undefined): string {
  if (value == null) return '—';
  return `${value >= 100 ? Math.round(value).toLocaleString('en-US') : round(value).toString()} ms`;
}

/** "12.3%". Values are already percentages. */
export function pct(value: number): string {
  return `${round(value)}%`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** "14:05" in the zone (24-hour clock). */
export function clock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/** "14:05–14:08", or one time when the span is a minute or less. */
export function span(from: Date, to: Date, timeZone: string): string {
  const a = clock(from, timeZone);
  const b = clock(new Date(to.getTime() - 1), timeZone);
  return a === b ? a : `${a}–${clock(to, timeZone)}`;
}
