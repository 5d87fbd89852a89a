import { z } from 'zod';
import { cleanText, type LogRecord } from '../domain/log-record.ts';

export interface RecordContext {
  /** Service for records that do not name one (the ingest route's `?service=`, else "default"). */
  defaultService: string;
  /** Key Fluent Bit put its own read time under (`json_date_key`); "date" when not configured. */
  dateKey: string;
  /** How zone-less timestamps such as `2026-11-25T10:00:00` are read. */
  zoneless: 'UTC' | 'local';
  now: number;
}

export type RecordResult = { ok: true; record: LogRecord } | { ok: false; reason: string };

const KNOWN_KEYS = new Set([
  'timestamp', 'time', '@timestamp', 'path', 'method', 'status', 'latency_ms', 'user_agent',
  'ip_address', 'client_ip', 'service', 'request_id', 'bytes',
]);
const MAX_PATH = 2048;
const MAX_UA = 1024;
const MAX_EXTRA_BYTES = 16 * 1024;
const EARLIEST = Date.UTC(2000, 0, 1);
const MAX_FUTURE_MS = 24 * 3600 * 1000;
const ZONE_SUFFIX = /(Z|[+-]\d{2}:?\d{2})$/i;

const METHOD = /^[A-Z][A-Z-]{0,15}$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const NUMBER_TEXT = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;
/** A number, or a string holding one (some loggers quote numbers). */
const numeric = (what: string) =>
  z.preprocess((v) => (typeof v === 'string' && NUMBER_TEXT.test(v) ? Number(v) : v), z.number({ error: `${what} must be a number` }));

const optionalText = (max: number) =>
  z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined || v === '' ? null : cleanText(String(v), max)));

const recordSchema = z.object({
  path: z
    .string({ error: 'path is required and must be a string' })
    .transform((p) => cleanText(p, MAX_PATH))
    // Checked after cleaning: a path of only NUL characters is empty once stored.
    .pipe(z.string().min(1, 'path must not be empty')),
  method: z
    .string({ error: 'method is required and must be a string' })
    .transform((m) => m.trim().toUpperCase())
    .pipe(z.string().regex(METHOD, 'method must be an HTTP method token such as GET')),
  status: numeric('status').pipe(z.number().int('status must be an integer').min(100, 'status must be 100-599').max(599, 'status must be 100-599')),
  latency_ms: numeric('latency_ms').pipe(
    z.number().finite('latency_ms must be finite').min(0, 'latency_ms must not be negative').max(86_400_000, 'latency_ms must be under a day'),
  ),
  user_agent: optionalText(MAX_UA),
  ip_address: optionalText(64),
  client_ip: optionalText(64),
  request_id: optionalText(128),
  service: z
    .string()
    .regex(SERVICE, 'service must be 1-64 characters of letters, digits and ._:/-')
    .nullish(),
  bytes: numeric('bytes').pipe(z.number().int('bytes must be an integer').min(0).max(2_147_483_647)).nullish(),
});

export type RecordFields = z.output<typeof recordSchema>;

function fastText(value: unknown, max: number): string | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return cleanText(value, max);
  if (typeof value === 'number' && Number.isFinite(value)) return cleanText(String(value), max);
  return undefined;
}

/**
 * What recordSchema outputs, computed without zod for the common case: every field present with
 * the type the schema expects and in range. Returns null for anything else (numbers in strings,
 * wrong types, out-of-range values), which the schema then decides and explains. zod costs
 * about 4 µs per record, a quarter of the gateway's CPU per record at full ingest; equivalence
 * with the schema is property-tested (record-fast-path.unit.test.ts).
 */
export function recordFieldsFast(input: Record<string, unknown>): RecordFields | null {
  const { path, method, status, latency_ms, service, bytes } = input;
  if (typeof path !== 'string' || typeof method !== 'string') return null;
  const cleanPath = cleanText(path, MAX_PATH);
  if (cleanPath.length === 0) return null;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return null;
  if (typeof latency_ms !== 'number' || !Number.isFinite(latency_ms) || latency_ms < 0 || latency_ms > 86_400_000) return null;
  if (service !== undefined && service !== null && (typeof service !== 'string' || !SERVICE.test(service))) return null;
  if (bytes !== undefined && bytes !== null && (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > 2_147_483_647)) return null;
  const m = method.trim().toUpperCase();
  if (!METHOD.test(m)) return null;
  const user_agent = fastText(input.user_agent, MAX_UA);
  const ip_address = fastText(input.ip_address, 64);
  const client_ip = fastText(input.client_ip, 64);
  const request_id = fastText(input.request_id, 128);
  if (user_agent === undefined || ip_address === undefined || client_ip === undefined || request_id === undefined) return null;
  return { path: cleanPath, method: m, status, latency_ms, user_agent, ip_address, client_ip, request_id, service, bytes };
}

/** The schema alone, for the equivalence test of recordFieldsFast. */
export function recordFieldsBySchema(input: unknown): RecordFields | null {
  const parsed = recordSchema.safeParse(input);
  return parsed.success ? parsed.data : null;
}

/** Parses an ISO-8601 string or epoch seconds/milliseconds (number or numeric string). */
export function parseTimestamp(value: unknown, zoneless: 'UTC' | 'local'): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Epoch milliseconds are > 1e12 for any date after 2001; seconds (possibly fractional) are not.
    return Math.round(value > 1e12 ? value : value * 1000);
  }
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseTimestamp(Number(s), zoneless);
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) return null;
  const iso = ZONE_SUFFIX.test(s) || zoneless === 'local' ? s : `${s}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

const MAX_EXTRA_DEPTH = 16;
const TOO_DEEP = Symbol('too deep');

/** Copies a JSON value with every string (and key) cleaned for jsonb; refuses deep nesting. */
function cleanJson(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_EXTRA_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const c = cleanJson(v, depth + 1);
      if (c === TOO_DEEP) return TOO_DEEP;
      out.push(c);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const c = cleanJson(v, depth + 1);
    if (c === TOO_DEEP) return TOO_DEEP;
    out[cleanText(k)] = c;
  }
  return out;
}

function describe(value: unknown): string {
  // Objects are named, not converted: `{"toString":1}` cannot be turned into a string.
  const text =
    typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : value !== null && typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** A Date can only hold ±8.64e15 ms; epoch values past that have no ISO form. */
const describeTime = (ms: number) => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms since 1970`);

/** Validates one decoded JSON value as an access-log record. Never throws. */
export function parseRecord(value: unknown, ctx: RecordContext): RecordResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: `record must be a JSON object, got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` };
  }
  const input = value as Record<string, unknown>;
  let r = recordFieldsFast(input);
  if (!r) {
    const parsed = recordSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'record';
      const got = issue && issue.path.length ? ` (got ${describe(input[String(issue.path[0])])})` : '';
      return { ok: false, reason: `${field}: ${issue?.message ?? 'invalid'}${got}` };
    }
    r = parsed.data;
  }

  // A record's own timestamp wins over the time Fluent Bit read the line (its date key).
  const rawTime = input.timestamp ?? input.time ?? input['@timestamp'] ?? input[ctx.dateKey];
  if (rawTime === undefined || rawTime === null) return { ok: false, reason: 'timestamp: missing (no timestamp, time, @timestamp or date key)' };
  const ms = parseTimestamp(rawTime, ctx.zoneless);
  if (ms === null) return { ok: false, reason: `timestamp: not ISO-8601 or epoch seconds/milliseconds (got ${describe(rawTime)})` };
  if (ms < EARLIEST || ms > ctx.now + MAX_FUTURE_MS) {
    return { ok: false, reason: `timestamp: out of range (${describeTime(ms)}); accepted from 2000-01-01 to 24 h ahead` };
  }

  let extra: Record<string, unknown> | null = null;
  for (const key of Object.keys(input)) {
    if (KNOWN_KEYS.has(key) || key === ctx.dateKey) continue;
    const cleaned = cleanJson(input[key], 1);
    if (cleaned === TOO_DEEP) return { ok: false, reason: `extra field ${describe(key)} is nested deeper than ${MAX_EXTRA_DEPTH} levels` };
    extra ??= {};
    extra[cleanText(key, 128)] = cleaned;
  }
  if (extra) {
    const size = JSON.stringify(extra).length;
    if (size > MAX_EXTRA_BYTES) return { ok: false, reason: `extra fields too large (${size} bytes > ${MAX_EXTRA_BYTES})` };
  }

  return {
    ok: true,
    record: {
      timestamp: new Date(ms),
      service: r.service ?? ctx.defaultService,
      method: r.method,
      path: r.path,
      status: r.status,
      latencyMs: r.latency_ms,
      userAgent: r.user_agent,
      ipAddress: r.ip_address ?? r.client_ip,
      requestId: r.request_id,
      bytes: r.bytes ?? null,
      extra,
    },
  };
}
