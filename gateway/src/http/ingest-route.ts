import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import type { Database } from '../storage/db.ts';
import { isUnavailableError } from '../storage/db.ts';
import { bearerToken } from './auth.ts';
import { matchIngestCredential, SERVICE_NAME, type ServiceToken } from './credentials.ts';
import { checkContentType, decodeRecords, IngestError, type DecodedBudget, type DecodedItem } from '../ingest/decode.ts';
import { unwrapLogEnvelope } from '../ingest/log-envelope.ts';
import { parseRecord, type RecordResult } from '../ingest/record.ts';
import { RouteRegistry } from '../storage/route-cap.ts';
import { templateRoute } from '../ingest/route-template.ts';
import type { RoutedRecord } from '../domain/log-record.ts';
import { countByService, storeUnparseableBody, writeBatch, type BatchResult, type Rejection } from '../storage/write-batch.ts';
import type { IngestOutcome } from './metrics.ts';

export interface IngestOptions {
  ingestTokens: readonly string[];
  /** Tokens bound to one service each (INGEST_TOKENS): they may only ingest for that service. */
  serviceTokens?: readonly ServiceToken[];
  /** INGEST_AUTH=none (development on loopback): requests without a valid token are accepted. */
  allowWithoutToken?: boolean;
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxRoutesPerService: number;
  /** Distinct services stored at most (MAX_SERVICES); records of further services are dead-lettered. */
  maxServices?: number;
  /** RETENTION_DAYS: older records are dead-lettered with that reason, not stored for the next sweep to delete. */
  retentionDays?: number;
  /** Bounds the decoded bytes of all batches in progress (INGEST_MAX_DECODED_IN_FLIGHT). */
  decodedBudget?: DecodedBudget;
  zoneless: 'UTC' | 'local';
  logger: Logger;
  /** The database once it is reachable and migrated; null while it is not (answer 503). */
  database: () => Database | null;
  /** Called after a batch commits with the records it stored (the live stream). */
  onStored?: (result: BatchResult) => void;
  /** Called once per request after it was answered (metrics). */
  onAnswered?: (outcome: IngestOutcome) => void;
}

const MAX_RAW_REJECT = 8192;

export interface IngestResponseBody {
  accepted: number;
  rejected: number;
  /** The whole body was stored before (a retry): nothing was stored now. */
  duplicate: boolean;
  /** Records skipped because an earlier batch stored them (the same line sent again); only when > 0. */
  duplicates?: number;
  /** The first rejection reasons, to make a misconfigured shipper obvious. */
  errors?: { index: number; reason: string }[];
}

/** What storeItems needs to know about one batch besides its items. */
export interface BatchMeta {
  /** The batch's service: records naming none get it. */
  service: string;
  /** The service a service-bound token may ingest for: records naming another are rejected. */
  bound: string | undefined;
  /** Key of the shipper's own read time (Fluent Bit's json_date_key). */
  dateKey: string;
  /** Idempotency key of the batch: the same body retried is stored once. */
  digest: string;
  bytes: number;
}

export interface StoredBatch {
  result: BatchResult;
  /** The first rejection reasons (at most 10), by position in the batch. */
  errors: { index: number; reason: string }[];
  /** Records stored per service (empty for a duplicate). */
  acceptedByService: Record<string, number>;
}

type CollectOptions = Pick<IngestOptions, 'retentionDays' | 'zoneless'>;

/**
 * Validates a batch's decoded items one at a time as they arrive (invalid ones become dead letters
 * with their reason), keeping only the records to store and the rejections: each parsed value is
 * garbage as soon as it is validated, so a batch holds its records, never its decoded text.
 */
export class BatchCollector {
  readonly records: RoutedRecord[] = [];
  readonly indexOf = new Map<RoutedRecord, number>();
  readonly rejections: Rejection[] = [];
  readonly errors: { index: number; reason: string }[] = [];
  private index = 0;
  private readonly now = Date.now();
  private readonly oldest: number;

  constructor(
    private readonly meta: Pick<BatchMeta, 'service' | 'bound' | 'dateKey'>,
    private readonly options: CollectOptions,
  ) {
    this.oldest = options.retentionDays === undefined ? -Infinity : this.now - options.retentionDays * 86_400_000;
  }

  add(item: DecodedItem): void {
    const { bound } = this.meta;
    const index = this.index++;
    let result: RecordResult;
    if ('error' in item) result = { ok: false, reason: item.error };
    else {
      // Fluent Bit without a parser (and Docker/CRI files) wrap the JSON line in `log`.
      const unwrapped = unwrapLogEnvelope(item.value, this.meta.dateKey);
      result = unwrapped.ok
        ? parseRecord(unwrapped.value, {
            defaultService: this.meta.service,
            dateKey: this.meta.dateKey,
            zoneless: this.options.zoneless,
            now: this.now,
          })
        : unwrapped;
    }
    if (result.ok && bound !== undefined && result.record.service !== bound) {
      result = {
        ok: false as const,
        reason: `service: "${result.record.service}" is not allowed for this token (it is bound to "${bound}")`,
      };
    }
    if (result.ok && result.record.timestamp.getTime() < this.oldest) {
      result = {
        ok: false as const,
        reason: `timestamp: older than RETENTION_DAYS (${this.options.retentionDays} days); it would be deleted by the next retention sweep`,
      };
    }
    if (result.ok) {
      // The record is fresh from parseRecord: completing it in place saves a copy per record.
      const record = result.record as RoutedRecord;
      record.route = templateRoute(record.path);
      this.records.push(record);
      this.indexOf.set(record, index);
    } else {
      const raw = 'error' in item ? item.raw : safeStringify(item.value);
      this.rejections.push({
        reason: result.reason,
        raw: keptPrefix(raw, MAX_RAW_REJECT),
        service: bound ?? ('value' in item ? namedService(item.value) : undefined),
      });
      if (this.errors.length < 10) this.errors.push({ index, reason: result.reason });
    }
  }
}

/**
 * The shared second half of every ingest protocol: validate decoded items as records (a
 * BatchCollector), cap routes per service and store the batch once by its digest (writeBatch),
 * then hand the stored records to the live stream.
 */
export function createBatchStore(
  options: Pick<IngestOptions, 'maxRoutesPerService' | 'maxServices' | 'retentionDays' | 'zoneless' | 'onStored'>,
) {
  let registry: RouteRegistry | null = null;
  let registryDb: Database | null = null;

  return async function storeItems(db: Database, source: readonly DecodedItem[] | BatchCollector, meta: BatchMeta): Promise<StoredBatch> {
    let collected = source;
    if (!(collected instanceof BatchCollector)) {
      const collector = new BatchCollector(meta, options);
      for (const item of collected) collector.add(item);
      collected = collector;
    }
    let records = collected.records;
    const { indexOf, rejections, errors } = collected;

    if (registryDb !== db) {
      registry = new RouteRegistry(db.ingestPool, options.maxRoutesPerService, options.maxServices);
      registryDb = db;
    }
    const refused = await registry!.refusedServices(records.map((r) => r.service));
    if (refused.size > 0) {
      const kept: RoutedRecord[] = [];
      for (const record of records) {
        if (!refused.has(record.service)) {
          kept.push(record);
          continue;
        }
        const reason = `service: "${record.service}" would be past MAX_SERVICES (${options.maxServices} distinct services); not stored`;
        // Counted under the batch's service: naming the refused one would make it a service after all.
        rejections.push({ reason, raw: safeStringify(record).slice(0, MAX_RAW_REJECT) });
        if (errors.length < 10) errors.push({ index: indexOf.get(record)!, reason });
      }
      records = kept;
    }
    await registry!.apply(records);
    const result = await writeBatch(
      db.ingestPool,
      { digest: meta.digest, service: meta.service, bytes: meta.bytes, records, rejections },
      { checkFirst: db.mode === 'pglite' },
    );
    const acceptedByService = result.duplicate ? {} : countByService(records);
    if (!result.duplicate) options.onStored?.(result);
    return { result, errors, acceptedByService };
  };
}

export type BatchStore = ReturnType<typeof createBatchStore>;

/** The credential an ingest request presents (any ingest token, or a service-bound one), or null. */
export function ingestCredential(
  req: IncomingMessage,
  options: Pick<IngestOptions, 'ingestTokens' | 'serviceTokens' | 'allowWithoutToken'>,
) {
  return (
    matchIngestCredential(bearerToken(req.headers.authorization), options.ingestTokens, options.serviceTokens ?? []) ??
    (options.allowWithoutToken ? { service: undefined } : undefined)
  );
}

/**
 * POST /log/ingest: Fluent Bit's `http` output (json, json_lines, json_stream; optionally gzip).
 * Status codes follow Fluent Bit's retry rules: 200 once stored (or already stored), 503 when
 * storage failed (Fluent Bit retries the byte-identical body), 4xx only for bodies a retry
 * cannot fix — and an unparseable body is dead-lettered before its 400 so nothing is lost.
 */
export function createIngestHandler(options: IngestOptions, storeItems: BatchStore = createBatchStore(options)) {
  return async function handleIngest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = performance.now();
    const outcome: Omit<IngestOutcome, 'seconds'> = {
      protocol: 'fluentbit',
      service: null,
      status: 0,
      acceptedByService: {},
      rejected: 0,
      duplicate: false,
    };
    const reply = (status: number, body: object, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      outcome.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify(body));
    };
    // Decoded bytes (and the records made of them) are held until the batch is answered.
    const lease = options.decodedBudget?.lease();
    try {
      if (req.method !== 'POST') {
        reply(405, { error: 'use POST' }, { allow: 'POST' });
        return;
      }
      const credential = ingestCredential(req, options);
      if (!credential) {
        reply(401, { error: 'missing or invalid bearer token' }, { 'www-authenticate': 'Bearer realm="logpulse-ingest"' });
        return;
      }
      const bound = credential.service;
      const requested = url.searchParams.get('service');
      if (bound !== undefined && requested !== null && requested !== bound) {
        reply(403, { error: `this token may only ingest for service "${bound}", not "${requested.slice(0, 64)}"` });
        return;
      }
      const service = bound ?? requested ?? 'default';
      if (!SERVICE_NAME.test(service)) throw new IngestError(400, 'service must be 1-64 characters of letters, digits and ._:/-');
      outcome.service = service;
      const dateKey = url.searchParams.get('date_key') ?? 'date';
      checkContentType(req.headers['content-type']);
      const body = await readBody(req, options.maxBodyBytes);
      const db = options.database();
      if (!db) throw new IngestError(503, 'storage is not ready; retry later');

      const digest = createHash('sha256').update(service).update('\n').update(dateKey).update('\n').update(body).digest('hex');
      // Records are validated as they are decoded: the batch never holds its decoded text.
      const collector = new BatchCollector({ service, bound, dateKey }, options);
      try {
        await decodeRecords(body, req.headers['content-encoding'], options.maxDecodedBytes, (item) => collector.add(item), lease);
      } catch (error) {
        if (error instanceof IngestError && error.status === 400) {
          await storeUnparseableBody(db.ingestPool, { service, reason: error.message, body, digest });
          options.logger.warn({ service, reason: error.message, bytes: body.length }, 'unparseable ingest body dead-lettered');
        }
        throw error;
      }

      const { result, errors, acceptedByService } = await storeItems(db, collector, {
        service,
        bound,
        dateKey,
        digest,
        bytes: body.length,
      });
      Object.assign(outcome, { acceptedByService, rejected: result.duplicate ? 0 : result.rejected, duplicate: result.duplicate });
      const response: IngestResponseBody = { accepted: result.accepted, rejected: result.rejected, duplicate: result.duplicate };
      if (result.duplicateRecords > 0 && !result.duplicate) response.duplicates = result.duplicateRecords;
      if (errors.length > 0 && !result.duplicate) response.errors = errors;
      reply(200, response);
    } catch (error) {
      if (error instanceof IngestError) {
        reply(error.status, { error: error.message }, error.status === 503 ? { 'retry-after': '1' } : {});
        if (error.status === 413) req.resume();
        return;
      }
      // Anything else on this path is storage trouble (or a bug): 503 keeps the data in
      // Fluent Bit's buffer for a retry, where a 500 would not be worse but a 4xx would lose it.
      const unavailable = isUnavailableError(error);
      options.logger[unavailable ? 'warn' : 'error']({ err: error }, 'ingest batch not stored');
      reply(
        503,
        { error: unavailable ? 'storage unavailable; retry later' : 'batch could not be stored; retry later' },
        { 'retry-after': '1' },
      );
    } finally {
      lease?.release();
      options.onAnswered?.({ ...outcome, seconds: (performance.now() - started) / 1000 });
    }
  };
}

/** The valid service a rejected record names, so the pipeline counts it there (not under the URL tag). */
function namedService(value: unknown): string | undefined {
  const service = value !== null && typeof value === 'object' ? (value as { service?: unknown }).service : undefined;
  return typeof service === 'string' && SERVICE_NAME.test(service) ? service : undefined;
}

/**
 * The first `max` characters of a rejected record's text as a string of their own: a slice would
 * keep the whole (up to MAX_RECORD_BYTES) text alive until the batch is written. The copy goes
 * through UTF-8, which turns a surrogate cut in half into U+FFFD, as cleanText does when stored.
 */
function keptPrefix(text: string, max: number): string {
  return text.length <= max ? text : Buffer.from(text.slice(0, max), 'utf8').toString('utf8');
}

/** The text kept in the dead-letter table for a rejected value; never throws. */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Nesting too deep for the stack (JSON.parse takes depths that JSON.stringify cannot).
    return '[value not kept: nested too deeply to serialise]';
  }
}

/** Reads the request body, refusing (413) as soon as it passes the limit instead of buffering it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new IngestError(413, `body of ${declared} bytes exceeds the ${limit}-byte limit`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new IngestError(413, `body exceeds the ${limit}-byte limit`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (error) => reject(new IngestError(400, `could not read body: ${error.message}`)));
  });
}
