import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecord } from '@opentelemetry/api-logs';
import { describe, expect, it } from 'vitest';
import { decodeOtlpLogs, OBSERVED_TIME_KEY } from '../../src/ingest/otlp.ts';
import { parseRecord } from '../../src/ingest/record.ts';

async function requestOf(records: LogRecord[], resource: Record<string, string> = { 'service.name': 'shop' }) {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes(resource), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  for (const r of records) provider.getLogger('unit').emit(r);
  await provider.forceFlush();
  const logs = memory.getFinishedLogRecords();
  return { proto: Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!), json: Buffer.from(JsonLogsSerializer.serializeRequest(logs)!) };
}

const parse = (value: unknown) => parseRecord(value, { defaultService: 'default', dateKey: OBSERVED_TIME_KEY, zoneless: 'UTC', now: Date.now() });

describe('OTLP log records as access-log records', () => {
  it('reads a map body in our own field names (Fluent Bit opentelemetry output), both encodings alike', async () => {
    const at = Date.UTC(2026, 11, 5, 10, 0, 0, 123);
    const { proto, json } = await requestOf([
      { timestamp: at, body: { path: '/api/items/9', method: 'delete', status: 204, latency_ms: 3.5, user_agent: 'curl/8', custom: { a: [1, 'x'] } } },
    ]);
    const fromProto = decodeOtlpLogs(proto, 'protobuf');
    const fromJson = decodeOtlpLogs(json, 'json');
    expect(fromProto).toEqual(fromJson);
    expect(fromProto.service).toBe('shop');
    const result = parse((fromProto.items[0] as { value: unknown }).value);
    expect(result).toMatchObject({
      ok: true,
      record: { timestamp: new Date(at), service: 'shop', method: 'DELETE', path: '/api/items/9', status: 204, latencyMs: 3.5, userAgent: 'curl/8' },
    });
    expect(result.ok && result.record.extra).toMatchObject({ custom: { a: [1, 'x'] }, 'otel.scope.name': 'unit' });
  });

  it('takes the path of url.full, seconds of http.server.request.duration, and numbers sent as strings', async () => {
    const { json } = await requestOf([
      {
        severityNumber: SeverityNumber.WARN,
        attributes: { 'http.request.method': 'GET', 'url.full': 'https://shop.example/api/a/b?x=1', 'http.response.status_code': '404', 'http.server.request.duration': 1.25 },
      },
    ]);
    const item = decodeOtlpLogs(json, 'json').items[0] as { value: Record<string, unknown> };
    expect(item.value).toMatchObject({ path: '/api/a/b', latency_ms: 1250, 'url.full': 'https://shop.example/api/a/b?x=1' });
    const result = parse(item.value);
    expect(result).toMatchObject({ ok: true, record: { status: 404, latencyMs: 1250 } });
    expect(result.ok && Math.abs(result.record.timestamp.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('takes the path of http.route when a record has no url.path, url.full or http.target (an instrumentation that logs the route, not the URL)', async () => {
    const { proto } = await requestOf([
      { attributes: { 'http.request.method': 'POST', 'http.route': '/api/orders/{id}', 'http.response.status_code': 201, 'http.server.request.duration': 0.002 } },
    ]);
    const result = parse((decodeOtlpLogs(proto, 'protobuf').items[0] as { value: unknown }).value);
    expect(result).toMatchObject({ ok: true, record: { service: 'shop', method: 'POST', path: '/api/orders/{id}', status: 201, latencyMs: 2 } });
  });

  it('explains a record without HTTP fields instead of guessing', async () => {
    const { proto } = await requestOf([{ body: 'just a message' }], {});
    const result = parse((decodeOtlpLogs(proto, 'protobuf').items[0] as { value: unknown }).value);
    expect(result).toEqual({ ok: false, reason: 'path: path is required and must be a string (got undefined)' });
  });

  it('refuses bodies that are not an ExportLogsServiceRequest', () => {
    expect(() => decodeOtlpLogs(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), 'protobuf')).toThrow(/not an OTLP ExportLogsServiceRequest/);
    expect(() => decodeOtlpLogs(Buffer.from('[1]'), 'json')).toThrow(/JSON object/);
    expect(() => decodeOtlpLogs(Buffer.from('{"resourceLogs":[{"scopeLogs":{}}]}'), 'json')).toThrow(/scopeLogs must be an array/);
  });
});

describe('OTLP decoding of arbitrary bytes', () => {
  it('either decodes or refuses with a 400, never anything else (fuzz)', async () => {
    const fc = await import('fast-check');
    const { proto } = await requestOf([{ body: { path: '/a', method: 'GET', status: 200, latency_ms: 1 }, attributes: { k: [1, 2] } }]);
    // Random bytes, and a real request with bytes flipped (mostly still parseable protobuf).
    const mutated = fc.tuple(fc.nat(proto.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const copy = Buffer.from(proto);
      copy[i] = b;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)), mutated), fc.boolean(), (body, asJson) => {
        try {
          const batch = decodeOtlpLogs(body, asJson ? 'json' : 'protobuf');
          for (const item of batch.items) if ('value' in item) parse(item.value);
        } catch (error) {
          expect((error as { status?: number }).status).toBe(400);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
