import { createGunzip, createInflate } from 'node:zlib';

/** An ingest failure with the HTTP status Fluent Bit should see and a message for humans. */
export class IngestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ACCEPTED_TYPES = new Set([
  'application/json',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonlines',
  'application/json-lines',
  'application/x-json-stream',
  'application/stream+json',
  'text/plain',
  'application/octet-stream',
]);

/**
 * Checks the Content-Type. Fluent Bit sends application/json or application/x-ndjson; the
 * original system's config sent the header twice, which arrives joined by a comma.
 */
export function checkContentType(header: string | undefined): void {
  if (!header) return;
  for (const part of header.split(',')) {
    const type = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type && !ACCEPTED_TYPES.has(type)) {
      throw new IngestError(415, `unsupported Content-Type "${type.slice(0, 80)}": send application/json or application/x-ndjson`);
    }
  }
}

/**
 * Decoded bytes all ingest batches together may hold (INGEST_MAX_DECODED_IN_FLIGHT). Small gzip
 * bodies can each decode to the per-body limit, so bounding requests alone does not bound memory.
 * A batch takes its bytes chunk by chunk as they are decoded, through its own lease; past the
 * budget it is refused with a retryable 503 rather than waiting (waiting while holding bytes
 * could deadlock). A batch alone may always use the per-body limit, so no body is refused forever.
 */
export class DecodedBudget {
  private used = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit must be >= 1');
  }

  get inUse(): number {
    return this.used;
  }

  lease(): DecodedLease {
    let held = 0;
    return {
      take: (bytes) => {
        if (this.used + bytes > this.limit && this.used > held) return false;
        this.used += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        this.used -= held;
        held = 0;
      },
    };
  }
}

/** One batch's share of the DecodedBudget: released once the batch is stored or refused. */
export interface DecodedLease {
  /** False when these bytes would pass the budget while other batches hold some. */
  take(bytes: number): boolean;
  release(): void;
}

const BUSY = 'ingest is decoding other batches (INGEST_MAX_DECODED_IN_FLIGHT); retry later';

/** Inflates a gzip or deflate body as a stream, counting every chunk against both limits as it comes. */
function inflateWithin(body: Buffer, deflate: boolean, maxDecodedBytes: number, lease: DecodedLease | undefined, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = deflate ? createInflate() : createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (error: IngestError) => {
      if (failed) return;
      failed = true;
      stream.destroy();
      reject(error);
    };
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxDecodedBytes) return fail(new IngestError(413, `decompressed body exceeds ${maxDecodedBytes} bytes`));
      if (lease && !lease.take(chunk.length)) return fail(new IngestError(503, BUSY));
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    stream.on('error', (error) => fail(new IngestError(400, `body is not valid ${name} data: ${error.message}`)));
    stream.end(body);
  });
}

/**
 * Decompresses per Content-Encoding (or gzip magic bytes), stopping as soon as the per-body
 * limit or (with a lease) the decoded-bytes budget is passed.
 */
export async function decompress(body: Buffer, encoding: string | undefined, maxDecodedBytes: number, lease?: DecodedLease): Promise<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  const gzipMagic = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  if (enc && enc !== 'identity' && enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') {
    throw new IngestError(415, `unsupported Content-Encoding "${enc.slice(0, 40)}": send gzip or no encoding`);
  }
  if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate' || gzipMagic) {
    return inflateWithin(body, enc === 'deflate' && !gzipMagic, maxDecodedBytes, lease, enc || 'gzip');
  }
  if (body.length > maxDecodedBytes) throw new IngestError(413, `body exceeds ${maxDecodedBytes} bytes`);
  if (lease && !lease.take(body.length)) throw new IngestError(503, BUSY);
  return body;
}

/** One JSON value found in the body, or the reason a piece of it could not be parsed. */
export type DecodedItem = { value: unknown } | { error: string; raw: string };

/**
 * Splits a body into JSON values. Understands every Fluent Bit `http` output format:
 * `json` (one array), `json_lines` (one object per line) and `json_stream` (objects concatenated
 * with no separator). In line formats a malformed line becomes one rejected item and the rest
 * still count; a body with no parseable value at all is a 400.
 */
export function splitRecords(text: string): DecodedItem[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new IngestError(400, 'body is empty: expected JSON records');
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new IngestError(400, `body is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new IngestError(400, 'body is not a JSON array');
    return parsed.map((value) => ({ value }));
  }
  const items: DecodedItem[] = [];
  const lines = trimmed.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (Array.isArray(value)) items.push(...value.map((v) => ({ value: v })));
      else items.push({ value });
    } catch (error) {
      const stream = splitJsonStream(line);
      if (stream) items.push(...stream.map((value) => ({ value })));
      else items.push({ error: `line ${i + 1}: invalid JSON (${(error as Error).message})`, raw: line });
    }
  }
  if (items.length > 0 && items.every((item) => 'error' in item)) {
    const first = items[0] as { error: string };
    throw new IngestError(400, `body has no parseable JSON record; ${first.error}`);
  }
  return items;
}

/**
 * Splits `{...}{...}{...}` (Fluent Bit `json_stream`) into values by tracking brace depth
 * outside strings. Returns null when the text is not a clean sequence of objects.
 */
export function splitJsonStream(text: string): unknown[] | null {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 /* } */) {
      depth--;
      if (depth < 0) return null;
      if (depth === 0) {
        try {
          values.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          return null;
        }
      }
    } else if (depth === 0 && c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 44 /* , */) {
      return null;
    }
  }
  return depth === 0 && values.length > 0 ? values : null;
}
