/**
 * Records that arrive wrapped: Fluent Bit's `tail` without a `parser` sends
 * `{"date": 1796497754.98, "log": "<the line>"}`, Docker's json-file driver writes
 * `{"log": "<line>\n", "stream": "stdout", "time": "..."}` and CRI adds `logtag`. When the
 * wrapped line is one JSON object, that object is the record.
 */

/** The keys that may carry the wrapped line, in the order they are tried. */
const LINE_KEYS = ['log', 'message'] as const;
/** Outer keys the shipper or runtime added about the line, not the request: never kept. */
const ENVELOPE_ONLY = new Set(['stream', 'logtag', '_p']);
/** Outer times: the line's own time wins; these are its fallback. */
const TIME_KEYS = ['timestamp', 'time', '@timestamp'];

export type UnwrapResult = { ok: true; value: unknown } | { ok: false; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const NOT_JSON_REASON =
  'record has no path and its %KEY% holds a text line, not a JSON object: Fluent Bit is sending unparsed lines. ' +
  'Add `parser: logpulse_json` to the tail input (parsers.yaml, see fluentbit/README.md) or log JSON objects';

/**
 * Returns the record inside an envelope, or the value unchanged when it is not one. Only a
 * value without `path` is an envelope: a real record may carry a `message` of its own.
 * The outer date key and times are kept as the fallback time (the record's own time wins);
 * other outer fields (e.g. added by a `modify` filter) go along unless the line has the same key.
 */
export function unwrapLogEnvelope(value: unknown, dateKey: string): UnwrapResult {
  if (!isObject(value) || 'path' in value) return { ok: true, value };
  const key = LINE_KEYS.find((k) => typeof value[k] === 'string');
  if (key === undefined) return { ok: true, value };
  const line = (value[key] as string).trim();
  let inner: unknown;
  if (line.startsWith('{')) {
    try {
      inner = JSON.parse(line);
    } catch {
      inner = undefined;
    }
  }
  if (!isObject(inner)) return { ok: false, reason: NOT_JSON_REASON.replace('%KEY%', key) };

  const innerHasTime = TIME_KEYS.some((k) => inner[k] !== undefined && inner[k] !== null);
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === key || ENVELOPE_ONLY.has(k) || k in inner) continue;
    if (innerHasTime && TIME_KEYS.includes(k)) continue;
    // The outer date key is dropped by parseRecord; keep it only as the fallback time.
    if (k === dateKey && innerHasTime) continue;
    merged[k] = v;
  }
  return { ok: true, value: Object.assign(merged, inner) };
}
