/**
 * JSON for events crossing Redis. Plain JSON would turn every Date into a string, and the
 * resolvers, filters and metrics on the receiving replica compare and format Dates; so Dates
 * travel tagged and come back as Dates, whatever event carries them.
 */
const DATE_TAG = '$logpulse:date';

function tagDates(this: unknown, key: string, value: unknown): unknown {
  // `value` has already been through Date#toJSON; the holder still has the Date itself.
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? { [DATE_TAG]: original.getTime() } : value;
}

function reviveDates(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[DATE_TAG];
    if (typeof tagged === 'number' && Object.keys(value).length === 1) return new Date(tagged);
  }
  return value;
}

export const eventSerializer = {
  stringify(value: unknown): string {
    return JSON.stringify(value, tagDates);
  },
  /** Throws SyntaxError on text that is not JSON; callers decide how to report it. */
  parse(text: string): unknown {
    return JSON.parse(text, reviveDates);
  },
};
