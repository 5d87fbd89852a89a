import protobuf from 'protobufjs';
import { IngestError, type DecodedItem } from './decode.ts';

/**
 * OTLP/HTTP logs (POST /v1/logs): the request and response messages of
 * opentelemetry-proto's collector/logs/v1 (with common/v1, resource/v1 and logs/v1), trimmed to
 * what a receiver reads, field numbers unchanged; plus google.rpc.Status for error bodies. Enum
 * fields are read as int32, which is the same varint on the wire.
 */
const OTLP_PROTO = `
syntax = "proto3";
package logpulse.otlp;
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Status { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(OTLP_PROTO).root;
const RequestType = root.lookupType('logpulse.otlp.ExportLogsServiceRequest');
const ResponseType = root.lookupType('logpulse.otlp.ExportLogsServiceResponse');
const StatusType = root.lookupType('logpulse.otlp.Status');

/** The two OTLP/HTTP encodings; the response uses the request's. */
export type OtlpEncoding = 'protobuf' | 'json';

/** The encoding named by a Content-Type header; 415 for anything else. */
export function otlpEncoding(contentType: string | undefined): OtlpEncoding {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new IngestError(415, `unsupported Content-Type "${type.slice(0, 80)}": OTLP/HTTP is application/x-protobuf or application/json`);
}

/** An OTLP message as plain data: protobuf decoded with longs and bytes as strings, or parsed JSON. */
type Plain = Record<string, unknown>;
interface KeyValue {
  key?: unknown;
  value?: unknown;
}

/** The records of one request, each mapped to our record shape, plus the first resource's service. */
export interface OtlpBatch {
  items: DecodedItem[];
  /** service.name of the first resource that has one (the batch's service for dead letters). */
  service: string | null;
}

/** Key under which a record's observed time travels: parseRecord falls back to it (its `dateKey`). */
export const OBSERVED_TIME_KEY = 'observed_time';

/**
 * Decodes an ExportLogsServiceRequest (already decompressed). Throws IngestError(400) when the
 * body is not one: a retry could not fix it, so the caller dead-letters it and answers 400.
 */
export function decodeOtlpLogs(body: Buffer, encoding: OtlpEncoding): OtlpBatch {
  let request: Plain;
  if (encoding === 'protobuf') {
    try {
      // longs as strings (nanosecond times need 64 bits), bytes as base64 (converted to hex below).
      request = RequestType.toObject(RequestType.decode(body), { longs: String, bytes: String, arrays: true });
    } catch (error) {
      throw new IngestError(400, `body is not an OTLP ExportLogsServiceRequest (protobuf): ${(error as Error).message}`);
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new IngestError(400, `body is not JSON: ${(error as Error).message}`);
    }
    if (!isObject(parsed)) throw new IngestError(400, 'body must be a JSON object (an OTLP ExportLogsServiceRequest)');
    request = parsed;
  }
  const resourceLogs = request.resourceLogs ?? [];
  if (!Array.isArray(resourceLogs)) throw new IngestError(400, 'resourceLogs must be an array');
  const items: DecodedItem[] = [];
  let batchService: string | null = null;
  for (const rl of resourceLogs) {
    if (!isObject(rl)) throw new IngestError(400, 'each resourceLogs entry must be an object');
    const resource = attributesOf(isObject(rl.resource) ? rl.resource.attributes : undefined);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : null;
    batchService ??= service;
    const scopeLogs = rl.scopeLogs ?? [];
    if (!Array.isArray(scopeLogs)) throw new IngestError(400, 'scopeLogs must be an array');
    for (const sl of scopeLogs) {
      if (!isObject(sl)) throw new IngestError(400, 'each scopeLogs entry must be an object');
      const logRecords = sl.logRecords ?? [];
      if (!Array.isArray(logRecords)) throw new IngestError(400, 'logRecords must be an array');
      const scope = isObject(sl.scope) && typeof sl.scope.name === 'string' && sl.scope.name ? sl.scope.name : null;
      for (const lr of logRecords) {
        if (!isObject(lr)) {
          items.push({ error: 'log record must be an object', raw: JSON.stringify(lr) ?? String(lr) });
          continue;
        }
        items.push({ value: toAccessRecord(lr, { service, scope, bytesAreBase64: encoding === 'protobuf' }) });
      }
    }
  }
  return { items, service: batchService };
}

/**
 * Attribute names of the OpenTelemetry HTTP semantic conventions (current first, then the
 * pre-1.20 names that older instrumentations still send) for each field of our record.
 */
const SEMCONV: Record<string, readonly string[]> = {
  method: ['http.request.method', 'http.method'],
  path: ['url.path', 'http.target', 'http.route'],
  status: ['http.response.status_code', 'http.status_code'],
  user_agent: ['user_agent.original', 'http.user_agent'],
  ip_address: ['client.address', 'http.client_ip', 'net.sock.peer.addr'],
  bytes: ['http.response.body.size', 'http.response_content_length'],
  request_id: ['http.request.header.x-request-id', 'request_id'],
};
/** Durations: attribute name and its unit's factor to milliseconds. */
const DURATIONS: readonly [string, number][] = [
  ['latency_ms', 1],
  ['duration_ms', 1],
  ['http.server.request.duration', 1000],
  ['http.client.request.duration', 1000],
  ['duration', 1],
];

/**
 * One OTLP LogRecord as an access-log record (the shape parseRecord validates). The body, when
 * it is a map or a string holding a JSON object, supplies fields in our own names (Fluent Bit's
 * opentelemetry output puts the whole record there); semantic-convention attributes fill the
 * rest; every other attribute, the severity, event name and trace context go to `extra`.
 */
function toAccessRecord(lr: Plain, ctx: { service: string | null; scope: string | null; bytesAreBase64: boolean }): Plain {
  const out: Plain = {};
  const body = anyValue(lr.body);
  if (isObject(body)) Object.assign(out, body);
  else if (typeof body === 'string') {
    const trimmed = body.trim();
    let parsed: unknown;
    if (trimmed.startsWith('{')) {
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = undefined;
      }
    }
    if (isObject(parsed)) Object.assign(out, parsed);
    else if (body !== '') out.message = body;
  } else if (body !== undefined && body !== null) out.body = body;

  const attributes = attributesOf(lr.attributes);
  const used = new Set<string>();
  for (const [field, names] of Object.entries(SEMCONV)) {
    const name = names.find((n) => attributes[n] !== undefined && attributes[n] !== null);
    if (name === undefined) continue;
    used.add(name);
    let value = attributes[name];
    // http.target is path and query; our path is the path (the query stays in extra).
    if (name === 'http.target' && typeof value === 'string') {
      const q = value.indexOf('?');
      if (q >= 0) {
        out['url.query'] ??= value.slice(q + 1);
        value = value.slice(0, q);
      }
    }
    if (out[field] === undefined) out[field] = value;
  }
  if (out.path === undefined && typeof attributes['url.full'] === 'string') {
    try {
      // url.full stays in extra too: it holds the query and host.
      out.path = new URL(attributes['url.full']).pathname;
    } catch {
      // Not a URL: left in extra, and the record is rejected for its missing path.
    }
  }
  if (out.latency_ms === undefined) {
    for (const [name, factor] of DURATIONS) {
      const v = attributes[name];
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n === 'number' && Number.isFinite(n)) {
        out.latency_ms = n * factor;
        used.add(name);
        break;
      }
    }
  }
  // The record's own service wins; then the resource's (service.name), as OTLP intends.
  if (out.service === undefined && ctx.service !== null) out.service = ctx.service;
  for (const [name, value] of Object.entries(attributes)) if (!used.has(name) && out[name] === undefined) out[name] = value;

  const time = nanosToMs(lr.timeUnixNano);
  if (time !== null && out.timestamp === undefined) out.timestamp = time;
  const observed = nanosToMs(lr.observedTimeUnixNano);
  if (observed !== null) out[OBSERVED_TIME_KEY] = observed;
  if (typeof lr.severityText === 'string' && lr.severityText) out.severity = lr.severityText;
  if (typeof lr.eventName === 'string' && lr.eventName) out['event.name'] = lr.eventName;
  const traceId = idHex(lr.traceId, ctx.bytesAreBase64);
  if (traceId) out.trace_id = traceId;
  const spanId = idHex(lr.spanId, ctx.bytesAreBase64);
  if (spanId) out.span_id = spanId;
  if (ctx.scope) out['otel.scope.name'] = ctx.scope;
  return out;
}

/** ExportLogsServiceResponse in the request's encoding; partial success only when something was rejected. */
export function encodeOtlpResponse(encoding: OtlpEncoding, rejected: number, errorMessage: string): Buffer | string {
  const partial = rejected > 0 ? { rejectedLogRecords: rejected, errorMessage } : undefined;
  if (encoding === 'json') return JSON.stringify(partial ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage } } : {});
  return Buffer.from(ResponseType.encode(ResponseType.fromObject(partial ? { partialSuccess: partial } : {})).finish());
}

/** google.rpc.Status (the OTLP/HTTP error body) in the request's encoding. */
export function encodeOtlpStatus(encoding: OtlpEncoding, code: number, message: string): Buffer | string {
  if (encoding === 'json') return JSON.stringify({ code, message });
  return Buffer.from(StatusType.encode(StatusType.fromObject({ code, message })).finish());
}

function isObject(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const MAX_ANY_DEPTH = 32;

/** An AnyValue as plain JSON (kvlists become objects); undefined when empty. */
function anyValue(value: unknown, depth = 0): unknown {
  if (!isObject(value) || depth > MAX_ANY_DEPTH) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (isObject(value.arrayValue)) {
    const values = Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map((v) => anyValue(v, depth + 1) ?? null);
  }
  if (isObject(value.kvlistValue)) return attributesOf(value.kvlistValue.values, depth + 1);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

function attributesOf(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list as KeyValue[]) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const v = anyValue(kv.value, depth + 1);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

/** Epoch milliseconds (fractional) of a fixed64 nanosecond time; null for 0 or absent ("unknown" in OTLP). */
function nanosToMs(value: unknown): number | null {
  if (value === undefined || value === null || value === '' || value === '0' || value === 0) return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n / 1e6 : null;
}

/** Trace and span ids as lower-case hex (protobuf bytes arrive base64, OTLP/JSON sends hex). */
function idHex(value: unknown, base64: boolean): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const hex = base64 ? Buffer.from(value, 'base64').toString('hex') : value.toLowerCase();
  return /^[0-9a-f]{1,64}$/.test(hex) && !/^0+$/.test(hex) ? hex : null;
}
