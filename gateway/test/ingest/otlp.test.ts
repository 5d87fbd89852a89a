import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogRecord } from '@opentelemetry/api-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_MODES } from '../support/databases.ts';
import { startGatewayWithOutage, type GatewayWithOutage } from '../support/database-outage.ts';
import { startTestGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';

/**
 * OTLP/HTTP logs at /v1/logs, with payloads produced by the official OpenTelemetry JS packages:
 * LogRecords emitted through the SDK's LoggerProvider, serialised by @opentelemetry/otlp-transformer
 * or exported by the OTLP exporters (protobuf and JSON, gzip) to the real gateway.
 */

/** LogRecords as the SDK hands them to an exporter, under a resource naming `service`. */
async function sdkRecords(service: string, records: LogRecord[]): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': '1.4.2' }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('access-log', '2.0.0');
  for (const r of records) logger.emit(r);
  // The simple processor exports on a later tick.
  await provider.forceFlush();
  return memory.getFinishedLogRecords();
}

/** An HTTP server access log in the current semantic conventions. */
const accessLog = (tag: string, overrides: Record<string, string | number> = {}): LogRecord => ({
  timestamp: Date.now() - 2_000,
  severityNumber: SeverityNumber.INFO,
  severityText: 'INFO',
  body: `GET /api/orders/${tag}`,
  attributes: {
    'http.request.method': 'GET',
    'url.path': `/api/orders/${tag}`,
    'http.route': '/api/orders/{id}',
    'http.response.status_code': 200,
    'http.server.request.duration': 0.0425,
    'user_agent.original': 'otel-test/1.0',
    'client.address': '203.0.113.7',
    'http.response.body.size': 512,
    'test.tag': tag,
    ...overrides,
  },
});

async function exportWith(exporter: OtlpProtoExporter | OtlpHttpJsonExporter, records: ReadableLogRecord[]) {
  const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(records, resolve));
  await exporter.shutdown();
  return result;
}

describe.each(STORAGE_MODES)('OTLP/HTTP logs on %s', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(mode);
  });
  afterAll(async () => {
    await gw?.close();
  });

  const logsTagged = async (tag: string) => {
    const res = await gw.graphql<{ recentLogs: { edges: { node: Record<string, unknown> }[] } }>(
      `query Tagged($p: String!) { recentLogs(first: 50, filter: { pathContains: $p }) { edges { node {
        service method path route status latencyMs userAgent ipAddress bytes requestId extra } } } }`,
      { p: tag },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.recentLogs.edges.map((e) => e.node);
  };
  const post = (body: Uint8Array | string, type: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': type, ...headers },
      body: body as BodyInit,
    });

  it('stores what the official protobuf exporter sends (gzip), mapping HTTP semantic conventions to the record', async () => {
    const tag = `proto-${mode}`;
    const exporter = new OtlpProtoExporter({ url: `${gw.url}/v1/logs`, headers: { authorization: `Bearer ${TEST_TOKEN}` }, compression: 'gzip' as never });
    const result = await exportWith(exporter, await sdkRecords('checkout', [accessLog(`${tag}-1`), accessLog(`${tag}-2`, { 'http.response.status_code': 503 })]));
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0); // ExportResultCode.SUCCESS

    const logs = await logsTagged(tag);
    expect(logs).toHaveLength(2);
    const failed = logs.find((l) => l.status === 503)!;
    expect(failed).toMatchObject({
      service: 'checkout',
      method: 'GET',
      path: `/api/orders/${tag}-2`,
      latencyMs: 42.5,
      userAgent: 'otel-test/1.0',
      ipAddress: '203.0.113.7',
      bytes: 512,
    });
    expect(failed.extra).toMatchObject({
      'http.route': '/api/orders/{id}',
      'test.tag': `${tag}-2`,
      severity: 'INFO',
      message: `GET /api/orders/${tag}-2`,
      'otel.scope.name': 'access-log',
    });
  });

  it('stores what the official JSON exporter sends, with trace context kept', async () => {
    const tag = `json-${mode}`;
    const exporter = new OtlpHttpJsonExporter({ url: `${gw.url}/v1/logs`, headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    // Pre-1.20 attribute names, as older instrumentations send them; the trace id of a span context.
    const record = accessLog(tag, {});
    record.attributes = {
      'http.method': 'POST',
      'http.target': `/api/carts/${tag}?page=2`,
      'http.status_code': 201,
      duration_ms: 7,
      'http.user_agent': 'legacy/0.9',
    };
    record.context = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    const records = await sdkRecords('carts', [record]);
    expect((await exportWith(exporter, records)).code).toBe(0);
    const [log] = await logsTagged(tag);
    expect(log).toMatchObject({ service: 'carts', method: 'POST', path: `/api/carts/${tag}`, status: 201, latencyMs: 7, userAgent: 'legacy/0.9' });
    expect(log!.extra).toMatchObject({ 'url.query': 'page=2', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
  });

  it.each([
    ['protobuf', 'application/x-protobuf'],
    ['json', 'application/json'],
  ] as const)('answers %s with OTLP partial success for rejected records, dead-letters them, and stores a retried body once', async (encoding, type) => {
    const tag = `partial-${encoding}-${mode}`;
    const records = await sdkRecords('billing', [
      accessLog(`${tag}-ok`),
      accessLog(`${tag}-bad`, { 'http.request.method': 'not a method' }),
      { body: 'no http attributes at all', attributes: { 'test.tag': tag } },
    ]);
    const serializer = encoding === 'protobuf' ? ProtobufLogsSerializer : JsonLogsSerializer;
    const body = gzipSync(serializer.serializeRequest(records)!);

    const first = await post(body, type, { 'content-encoding': 'gzip' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(type);
    const answer = serializer.deserializeResponse(new Uint8Array(await first.arrayBuffer()));
    expect(Number(answer.partialSuccess?.rejectedLogRecords)).toBe(2);
    expect(answer.partialSuccess?.errorMessage).toContain('2 of 3 log records rejected');
    expect(answer.partialSuccess?.errorMessage).toContain('method must be an HTTP method token');

    // A retry of the same body (the exporter did not see the answer) stores nothing twice.
    const retry = await post(body, type, { 'content-encoding': 'gzip' });
    expect(retry.status).toBe(200);
    expect(await logsTagged(tag)).toHaveLength(1);
    const dead = await gw.app.database!.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters WHERE raw LIKE $1`, [`%${tag}%`]);
    expect(dead.rows[0]!.n).toBe(2);
  });

  it('answers an all-good batch without partial success, and an empty request with 200', async () => {
    const body = ProtobufLogsSerializer.serializeRequest(await sdkRecords('billing', [accessLog(`clean-${mode}`)]))!;
    const res = await post(body, 'application/x-protobuf');
    expect(res.status).toBe(200);
    expect(ProtobufLogsSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer())).partialSuccess).toBeUndefined();
    const empty = await post('{}', 'application/json');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({});
  });

  it('gives records whose resource names no service the ?service= of the request (Fluent Bit sends no resource)', async () => {
    const tag = `noresource-${mode}`;
    const request = JSON.parse(Buffer.from(JsonLogsSerializer.serializeRequest(await sdkRecords('ignored', [accessLog(tag)]))!).toString());
    delete request.resourceLogs[0].resource;
    const res = await fetch(`${gw.url}/v1/logs?service=edge-proxy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    expect((await logsTagged(tag)).map((l) => l.service)).toEqual(['edge-proxy']);
  });

  it('refuses with OTLP status bodies: bad token 401, unknown type 415, a body that is not OTLP 400 (dead-lettered first)', async () => {
    const body = ProtobufLogsSerializer.serializeRequest(await sdkRecords('billing', [accessLog('refused')]))!;
    const unauthorized = await post(body, 'application/x-protobuf', { authorization: 'Bearer wrong' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await post(body, 'text/plain')).status).toBe(415);

    const garbage = Buffer.from('\x0a\xff\xff\xff\xff\x0f not protobuf at all', 'latin1');
    const bad = await post(garbage, 'application/x-protobuf');
    expect(bad.status).toBe(400);
    const badJson = await post('{"resourceLogs": "nope"}', 'application/json');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ code: 3, message: 'resourceLogs must be an array' });
    const dead = await gw.app.database!.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters WHERE body IS NOT NULL AND service = 'otlp'`);
    expect(dead.rows[0]!.n).toBe(2);
  });

  it('holds service-bound tokens to their service (records of another resource are rejected)', async () => {
    const bound = await startTestGateway(mode, { env: { INGEST_TOKENS: 'checkout:checkout-token-0123456789' } });
    try {
      const body = ProtobufLogsSerializer.serializeRequest([
        ...(await sdkRecords('checkout', [accessLog('bound-ok')])),
        ...(await sdkRecords('payments', [accessLog('bound-other')])),
      ])!;
      const res = await fetch(`${bound.url}/v1/logs`, {
        method: 'POST',
        headers: { authorization: 'Bearer checkout-token-0123456789', 'content-type': 'application/x-protobuf' },
        body: body as BodyInit,
      });
      const answer = ProtobufLogsSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
      expect(Number(answer.partialSuccess?.rejectedLogRecords)).toBe(1);
      expect(answer.partialSuccess?.errorMessage).toContain('bound to "checkout"');
    } finally {
      await bound.close();
    }
  });
});

describe('OTLP/HTTP logs during a PostgreSQL outage', () => {
  let outage: GatewayWithOutage | undefined;
  afterAll(() => outage?.close());

  it('answers 503 + Retry-After (exporters retry) and stores the retried body once storage is back', async () => {
    outage = await startGatewayWithOutage({ cut: true });
    const gw = outage.gateway;
    const body = ProtobufLogsSerializer.serializeRequest(await sdkRecords('outage', [accessLog('outage-1'), accessLog('outage-2')]))!;
    const send = () =>
      fetch(`${gw.url}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-protobuf' }, body: body as BodyInit });
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');

    await outage.restore();
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const stored = await gw.app.database!.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = 'outage'`);
    expect(stored.rows[0]!.n).toBe(2);
  });
});
