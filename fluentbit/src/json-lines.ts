import { gzipSync } from 'node:zlib';

/**
 * The key Fluent Bit's `http` output adds with `json_date_key timestamp` + `json_date_format
 * iso8601` (our fluent-bit.yaml). A record's own `timestamp` wins, so only records without one
 * get the read time.
 */
export const DATE_KEY = 'timestamp';

/** The request body of one batch, exactly as Fluent Bit's `format json_lines` + `compress gzip` builds it. */
export interface EncodedBatch {
  /** gzip of the JSON lines, each ending with `\n`. */
  body: Buffer;
  /** Records in the body (blank lines are not records). */
  records: number;
}

/** Fluent Bit prints iso8601 dates with microseconds: `2026-11-25T10:00:01.123000Z`. */
export function fluentBitIsoDate(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

/**
 * Turns one log line into the JSON line Fluent Bit would send for it (its `json` parser, then
 * `json_lines`): blank lines are skipped, a JSON object is kept byte for byte (plus the date key
 * when it has no `timestamp`), anything else is wrapped as `{"log": line}` like a failed parse.
 * Pure, so a batch rebuilt from the same lines is the same bytes.
 */
export function toJsonLine(line: string, readAt: string): string | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const dateMember = `${JSON.stringify(DATE_KEY)}:${JSON.stringify(readAt)}`;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return `{${dateMember},"log":${JSON.stringify(line.replace(/\r$/, ''))}}`;
  }
  if (Object.hasOwn(parsed, DATE_KEY)) return text;
  const rest = text.slice(1).trimStart();
  return `{${dateMember}${rest.startsWith('}') ? '' : ','}${rest}`;
}

/** Builds the gzip json_lines body for a batch of raw log lines. */
export function encodeJsonLines(lines: readonly string[], readAt: Date): EncodedBatch {
  const date = fluentBitIsoDate(readAt);
  let ndjson = '';
  let records = 0;
  for (const line of lines) {
    const json = toJsonLine(line, date);
    if (json === undefined) continue;
    ndjson += `${json}\n`;
    records++;
  }
  // zlib with fixed options and no file name/mtime in the header: same lines, same bytes.
  return { body: gzipSync(Buffer.from(ndjson, 'utf8'), { level: 6 }), records };
}
