import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUnavailableError } from '../storage/db.ts';
import { storeUnparseableBody } from '../storage/write-batch.ts';
import { decompress, IngestError } from '../ingest/decode.ts';
import {
  decodeOtlpLogs,
  encodeOtlpResponse,
  encodeOtlpStatus,
  OBSERVED_TIME_KEY,
  otlpEncoding,
  type OtlpEncoding,
} from '../ingest/otlp.ts';
import { SERVICE_NAME } from './credentials.ts';
import { createBatchStore, ingestCredential, readBody, type BatchStore, type IngestOptions } from './ingest-route.ts';
import type { IngestOutcome } from './metrics.ts';

/** The gRPC status codes OTLP/HTTP error bodies carry (google.rpc.Code). */
const RPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 405: 12, 413: 8, 415: 3, 503: 14 };

/** How many rejection reasons the partial-success message quotes. */
const QUOTED_REASONS = 3;

/**
 * POST /v1/logs: OTLP/HTTP logs (protobuf or JSON, optionally gzip) from an OpenTelemetry
 * Collector, an SDK exporter or Fluent Bit's `opentelemetry` output. Same token, body limits,
 * validation, route cap, exactly-once digest, dead letters and live stream as /log/ingest (the
 * shared half is createBatchStore); the answers follow the OTLP/HTTP spec: 200 with
 * `partial_success` for rejected records, 400 (not retried) for a body that is not OTLP — kept in
 * the dead-letter table first — and 503 + Retry-After, which exporters retry, when storage is down.
 */
export function createOtlpLogsHandler(options: IngestOptions, storeItems: BatchStore = createBatchStore(options)) {
  return async function handleOtlpLogs(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = performance.now();
    const outcome: Omit<IngestOutcome, 'seconds'> = {
      protocol: 'otlp',
      service: null,
      status: 0,
      acceptedByService: {},
      rejected: 0,
      duplicate: false,
    };
    let encoding: OtlpEncoding = 'json';
    const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      outcome.status = status;
      const type = encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}) =>
      send(status, encodeOtlpStatus(encoding, RPC_CODE[status] ?? 13, message), headers);
    // An OTLP body is decoded whole (protobuf or JSON) and held until answered: its decoded bytes
    // count against INGEST_MAX_DECODED_IN_FLIGHT like Fluent Bit's records.
    const lease = options.decodedBudget?.lease();
    try {
      try {
        encoding = otlpEncoding(req.headers['content-type']);
      } catch (error) {
        // The answer to an unknown Content-Type is JSON, the encoding every client can read.
        if (req.method === 'POST') throw error;
      }
      if (req.method !== 'POST') {
        fail(405, 'use POST', { allow: 'POST' });
        return;
      }
      const credential = ingestCredential(req, options);
      if (!credential) {
        fail(401, 'missing or invalid bearer token', { 'www-authenticate': 'Bearer realm="logpulse-ingest"' });
        return;
      }
      const bound = credential.service;
      // ?service= names the service of records whose resource has no service.name (Fluent Bit
      // sends none unless told); a service-bound token decides it alone.
      const requested = url.searchParams.get('service');
      if (bound !== undefined && requested !== null && requested !== bound) {
        fail(403, `this token may only ingest for service "${bound}", not "${requested.slice(0, 64)}"`);
        return;
      }
      if (requested !== null && !SERVICE_NAME.test(requested))
        throw new IngestError(400, 'service must be 1-64 characters of letters, digits and ._:/-');
      const body = await readBody(req, options.maxBodyBytes);
      const db = options.database();
      if (!db) throw new IngestError(503, 'storage is not ready; retry later');

      // The encoding is part of the digest: the same bytes as JSON and as protobuf are different batches.
      const digest = createHash('sha256').update('otlp/').update(encoding).update('\n').update(body).digest('hex');
      let batch;
      try {
        const decoded = await decompress(body, req.headers['content-encoding'], options.maxDecodedBytes, lease);
        batch = decodeOtlpLogs(decoded, encoding);
      } catch (error) {
        if (error instanceof IngestError && error.status === 400) {
          await storeUnparseableBody(db.ingestPool, { service: bound ?? 'otlp', reason: error.message, body, digest });
          options.logger.warn({ reason: error.message, bytes: body.length }, 'unparseable OTLP body dead-lettered');
        }
        throw error;
      }
      const service = bound ?? requested ?? (batch.service && SERVICE_NAME.test(batch.service) ? batch.service : 'default');
      outcome.service = service;
      const { result, errors, acceptedByService } = await storeItems(db, batch.items, {
        service,
        bound,
        dateKey: OBSERVED_TIME_KEY,
        digest,
        bytes: body.length,
      });
      Object.assign(outcome, {
        acceptedByService,
        rejected: result.duplicate ? 0 : result.rejected,
        duplicate: result.duplicate,
      });
      const message =
        result.rejected === 0
          ? ''
          : `${result.rejected} of ${result.accepted + result.rejected} log records rejected and kept in the dead-letter table` +
            (errors.length
              ? `: ${errors
                  .slice(0, QUOTED_REASONS)
                  .map((e) => `record ${e.index}: ${e.reason}`)
                  .join('; ')}`
              : '');
      send(200, encodeOtlpResponse(encoding, result.rejected, message));
    } catch (error) {
      if (error instanceof IngestError) {
        fail(error.status, error.message, error.status === 503 ? { 'retry-after': '1' } : {});
        if (error.status === 413) req.resume();
        return;
      }
      const unavailable = isUnavailableError(error);
      options.logger[unavailable ? 'warn' : 'error']({ err: error }, 'OTLP batch not stored');
      fail(503, unavailable ? 'storage unavailable; retry later' : 'batch could not be stored; retry later', { 'retry-after': '1' });
    } finally {
      lease?.release();
      options.onAnswered?.({ ...outcome, seconds: (performance.now() - started) / 1000 });
    }
  };
}
