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

/** zlib output chunk size: 64 KiB (zlib's default is 16 KiB), a quarter of the callbacks for the same bytes. */
const INFLATE_CHUNK = 64 * 1024;

/**
 * Frees a zlib output chunk's memory now, once the sink has consumed it (it copies what it keeps).
 * Each chunk is a slice of a 64 KiB buffer that zlib replaces with a new one once it is full
 * (lib/zlib.js processCallback: the slice is pushed, then `_outBuffer` is reallocated), so a
 * chunk ending at its buffer's end is the last use of that buffer. Left to the GC, these buffers
 * pile up: V8 collects external memory in ~64 MB steps, and four bodies inflating at once raised
 * RSS by 70-110 MB of garbage buffers; detached at once, by ~10 MB.
 */
function releaseChunk(chunk: Buffer): void {
  const buffer = chunk.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength !== INFLATE_CHUNK || chunk.byteOffset + chunk.length !== INFLATE_CHUNK) return;
  try {
    buffer.transfer(0);
  } catch {
    // Not detachable: the GC frees it.
  }
}

/**
 * Inflates a gzip or deflate body as a stream, counting every chunk against the per-body limit as
 * it comes and handing it to `sink` (which may throw an IngestError to stop). With `consumed`, the
 * sink keeps no reference to a chunk once it returns, and its memory is freed at once (releaseChunk).
 */
function inflateWithin(
  body: Buffer,
  deflate: boolean,
  maxDecodedBytes: number,
  sink: (chunk: Buffer) => void,
  name: string,
  consumed = false,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = deflate ? createInflate({ chunkSize: INFLATE_CHUNK }) : createGunzip({ chunkSize: INFLATE_CHUNK });
    let size = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      stream.destroy();
      reject(error);
    };
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxDecodedBytes) return fail(new IngestError(413, `decompressed body exceeds ${maxDecodedBytes} bytes`));
      try {
        sink(chunk);
      } catch (error) {
        fail(error);
        return;
      }
      if (consumed) releaseChunk(chunk);
    });
    stream.on('end', () => {
      if (!failed) resolve();
    });
    stream.on('error', (error) => fail(new IngestError(400, `body is not valid ${name} data: ${error.message}`)));
    stream.end(body);
  });
}

/** How a body is encoded: null when it is sent as is; throws 415 for an unsupported encoding. */
function compression(body: Buffer, encoding: string | undefined): { deflate: boolean; name: string } | null {
  const enc = (encoding ?? '').trim().toLowerCase();
  const gzipMagic = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  if (enc && enc !== 'identity' && enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') {
    throw new IngestError(415, `unsupported Content-Encoding "${enc.slice(0, 40)}": send gzip or no encoding`);
  }
  if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate' || gzipMagic)
    return { deflate: enc === 'deflate' && !gzipMagic, name: enc || 'gzip' };
  return null;
}

/**
 * Decompresses per Content-Encoding (or gzip magic bytes) into one buffer, stopping as soon as the
 * per-body limit or (with a lease) the decoded-bytes budget is passed. For bodies parsed whole
 * (OTLP); Fluent Bit bodies are read record by record with decodeRecords.
 */
export async function decompress(
  body: Buffer,
  encoding: string | undefined,
  maxDecodedBytes: number,
  lease?: DecodedLease,
): Promise<Buffer> {
  const how = compression(body, encoding);
  if (how) {
    const chunks: Buffer[] = [];
    let size = 0;
    await inflateWithin(
      body,
      how.deflate,
      maxDecodedBytes,
      (chunk) => {
        if (lease && !lease.take(chunk.length)) throw new IngestError(503, BUSY);
        chunks.push(chunk);
        size += chunk.length;
      },
      how.name,
    );
    return Buffer.concat(chunks, size);
  }
  if (body.length > maxDecodedBytes) throw new IngestError(413, `body exceeds ${maxDecodedBytes} bytes`);
  if (lease && !lease.take(body.length)) throw new IngestError(503, BUSY);
  return body;
}

/**
 * Decodes a Fluent Bit body as a stream: inflated chunk by chunk and split into records as they
 * arrive (RecordSplitter), so memory holds the records kept, not the decoded body. Each item
 * takes its decoded bytes from the lease (blank lines and the unparsed rest of an oversize
 * record take none: they are not held); past the budget the body is refused with a 503.
 * Throws 400/413/415 like decompress + RecordSplitter, and 503 from the lease.
 */
export async function decodeRecords(
  body: Buffer,
  encoding: string | undefined,
  maxDecodedBytes: number,
  onItem: (item: DecodedItem) => void,
  lease?: DecodedLease,
): Promise<void> {
  const splitter = new RecordSplitter((item, bytes) => {
    if (lease && !lease.take(bytes)) throw new IngestError(503, BUSY);
    onItem(item);
  });
  const how = compression(body, encoding);
  if (how) await inflateWithin(body, how.deflate, maxDecodedBytes, (chunk) => splitter.write(chunk), how.name, true);
  else {
    if (body.length > maxDecodedBytes) throw new IngestError(413, `body exceeds ${maxDecodedBytes} bytes`);
    splitter.write(body);
  }
  splitter.end();
}

/**
 * One JSON value found in the body, or the reason a piece of it could not be parsed. `tooLarge`
 * marks a record past MAX_RECORD_BYTES: it was never parsed and is rejected like an invalid
 * record (a dead letter with its first bytes), not counted as a malformed body.
 */
export type DecodedItem = { value: unknown } | { error: string; raw: string; tooLarge?: true };

/**
 * Largest record (one line, one json_stream object or one array element) that is parsed. Fluent
 * Bit's records are far smaller (tail reads lines of at most Buffer_Max_Size, 32 KB by default),
 * and a stored record keeps at most ~20 KB (path 2 KB, user agent 1 KB, extra 16 KB). Bigger
 * ones are rejected unparsed, so a body's memory never holds more than one record's text.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** First bytes of an oversize record kept as its dead letter's raw text. */
const TOO_LARGE_RAW = 8192;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Bytes collected across chunks: a record's text, or only its head once it is past the bound. */
class Piece {
  private parts: Buffer[] = [];
  size = 0;
  kept = 0;

  constructor(private readonly keepAtMost: number) {}

  add(chunk: Buffer, from: number, to: number): void {
    this.size += to - from;
    const room = this.keepAtMost - this.kept;
    if (room <= 0 || to <= from) return;
    // Copied: a subarray would keep the whole decoded chunk alive.
    const part = Buffer.from(chunk.subarray(from, Math.min(to, from + room)));
    this.parts.push(part);
    this.kept += part.length;
  }

  /** The kept bytes; empties the piece. */
  take(): Buffer {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept);
    this.parts = [];
    this.size = 0;
    this.kept = 0;
    return bytes;
  }

  text(): string {
    return this.take().toString('utf8');
  }

  /** The first `max` kept bytes as text (a cut character becomes U+FFFD); empties the piece. */
  head(max: number): string {
    return this.take().subarray(0, max).toString('utf8');
  }
}

/**
 * Splits a body into JSON values as it is decoded, chunk by chunk, holding at most one record's
 * bytes (MAX_RECORD_BYTES) at a time: a 128 MB body costs its records, not a 128 MB string plus
 * its parse. Understands every Fluent Bit `http` output format: `json` (one array, split into its
 * elements), `json_lines` (one object per line) and `json_stream` (objects concatenated with no
 * separator, all on one line). In line formats a malformed line becomes one rejected item and
 * the rest still count; a body with no parseable value at all is a 400. Items go to `emit` with
 * the decoded bytes they came from (what the batch holds); `emit` may throw to stop decoding.
 */
export class RecordSplitter {
  private mode: 'start' | 'array' | 'lines' = 'start';
  private atBodyStart = true;
  // Lines mode: the current line (whole while it fits the bound), its number counted from the
  // first line with content (as the trimmed body's lines were numbered).
  private readonly line: Piece;
  private lineNo = 0;
  private lineStarted = false;
  /** The current line passed the bound: it is read as json_stream objects, one at a time. */
  private longLine = false;
  /** A long line that is not a sequence of objects: the rest of it is one rejected item, of which this keeps the head. */
  private skipLine = false;
  private readonly rest = new Piece(TOO_LARGE_RAW);
  // Nesting inside the current object (long lines) or inside the array (array mode).
  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly record: Piece;
  private inRecord = false;
  /** Array mode: a value is expected (after `[` or `,`); `closed` once the final `]` was read. */
  private expectValue = true;
  private closed = false;
  private values = 0;
  private errors = 0;
  private tooLarge = 0;
  private firstError = '';

  constructor(
    private readonly emit: (item: DecodedItem, bytes: number) => void,
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
  ) {
    this.line = new Piece(maxRecordBytes);
    this.record = new Piece(maxRecordBytes + 1);
  }

  write(chunk: Buffer): void {
    let i = 0;
    if (this.mode === 'start') {
      if (this.atBodyStart && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // UTF-8 BOM
      this.atBodyStart = false;
      while (i < chunk.length && isSpace(chunk[i]!)) i++;
      if (i === chunk.length) return;
      if (chunk[i] === 0x5b /* [ */) {
        this.mode = 'array';
        i++;
      } else {
        this.mode = 'lines';
      }
    }
    if (this.mode === 'array') this.writeArray(chunk, i);
    else this.writeLines(chunk, i);
  }

  /** Call once the body is complete; throws the body's 400 if it has no parseable record. */
  end(): void {
    if (this.mode === 'start') throw new IngestError(400, 'body is empty: expected JSON records');
    if (this.mode === 'array') {
      if (!this.closed) throw new IngestError(400, 'body is not valid JSON: Unexpected end of JSON input (the array is not closed)');
    } else {
      this.endLine();
    }
    if (this.errors > 0 && this.values === 0 && this.tooLarge === 0) {
      throw new IngestError(400, `body has no parseable JSON record; ${this.firstError}`);
    }
  }

  private push(item: DecodedItem, bytes: number): void {
    if ('value' in item) this.values++;
    else if (item.tooLarge) this.tooLarge++;
    else if (this.errors++ === 0) this.firstError = item.error;
    this.emit(item, bytes);
  }

  private pushTooLarge(what: string, piece: Piece): void {
    const size = piece.size;
    const raw = piece.head(TOO_LARGE_RAW);
    this.push({ error: `${what} is larger than ${this.maxRecordBytes} bytes (${size}): not parsed`, raw, tooLarge: true }, raw.length);
  }

  // ---- json_lines / json_stream ----

  private writeLines(chunk: Buffer, from: number): void {
    let i = from;
    while (i < chunk.length) {
      if (!this.lineStarted) {
        // Blank lines and leading blanks cost nothing: skipped byte by byte, never collected.
        while (i < chunk.length && isSpace(chunk[i]!)) {
          if (chunk[i] === 10 && this.lineNo > 0) this.lineNo++;
          i++;
        }
        if (i === chunk.length) return;
        this.lineStarted = true;
        if (this.lineNo === 0) this.lineNo = 1;
      }
      const newline = chunk.indexOf(10, i);
      const stop = newline === -1 ? chunk.length : newline;
      if (!this.longLine && this.line.size + (stop - i) > this.maxRecordBytes) this.startLongLine();
      if (this.longLine) this.scanObjects(chunk, i, stop);
      else this.line.add(chunk, i, stop);
      if (newline === -1) return;
      this.endLine();
      this.lineNo++;
      i = newline + 1;
    }
  }

  /** The line passed the bound: read what was collected, and the rest as it comes, as json_stream. */
  private startLongLine(): void {
    this.longLine = true;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.inRecord = false;
    this.skipLine = false;
    const head = this.line.take();
    this.scanObjects(head, 0, head.length);
  }

  private endLine(): void {
    if (!this.lineStarted) return;
    this.lineStarted = false;
    if (this.longLine) {
      this.longLine = false;
      if (this.skipLine) {
        const raw = this.rest.head(TOO_LARGE_RAW);
        const error = `line ${this.lineNo}: longer than ${this.maxRecordBytes} bytes and not a sequence of JSON objects`;
        this.push({ error, raw, tooLarge: true }, raw.length);
      } else if (this.inRecord) {
        this.inRecord = false;
        if (this.record.size > this.maxRecordBytes) this.pushTooLarge(`line ${this.lineNo}: a record`, this.record);
        else {
          const raw = this.record.head(TOO_LARGE_RAW);
          this.push({ error: `line ${this.lineNo}: invalid JSON (an object is not closed)`, raw, tooLarge: true }, raw.length);
        }
      }
      return;
    }
    const size = this.line.size;
    const line = this.line.text().trim();
    if (line === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (Array.isArray(value)) for (const v of value) this.push({ value: v }, Math.ceil(size / value.length));
      else this.push({ value }, size);
    } catch (error) {
      const stream = splitJsonStream(line);
      if (stream) for (const value of stream) this.push({ value }, Math.ceil(size / stream.length));
      else this.push({ error: `line ${this.lineNo}: invalid JSON (${(error as Error).message})`, raw: line }, size);
    }
  }

  /**
   * Inside a string at `i`: moves past its plain bytes in a tight loop (only `\` and `"` matter
   * there; they are ASCII, so never part of a UTF-8 sequence) and returns the index of the byte
   * that was consumed last, updating the string and escape state.
   */
  private skipInString(chunk: Buffer, i: number, end: number): number {
    if (this.escaped) {
      this.escaped = false;
      return i;
    }
    let j = i;
    while (j < end) {
      const c = chunk[j]!;
      if (c === 34 /* " */ || c === 92 /* \ */) break;
      j++;
    }
    if (j === end) return end - 1;
    if (chunk[j] === 92) this.escaped = true;
    else this.inString = false;
    return j;
  }

  /** json_stream on a line past the bound: each top-level object is parsed on its own as it closes. */
  private scanObjects(chunk: Buffer, from: number, to: number): void {
    if (this.skipLine) return this.rest.add(chunk, from, to);
    let start = this.inRecord ? from : -1;
    for (let i = from; i < to; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        i = this.skipInString(chunk, i, to);
        continue;
      }
      if (c === 34 && this.depth > 0) this.inString = true;
      else if (c === 123 /* { */) {
        if (this.depth === 0) {
          this.inRecord = true;
          start = i;
        }
        this.depth++;
      } else if (c === 125 /* } */ && this.depth > 0) {
        this.depth--;
        if (this.depth === 0) {
          this.record.add(chunk, start, i + 1);
          start = -1;
          this.inRecord = false;
          this.finishObject();
        }
      } else if (this.depth === 0 && !isSpace(c) && c !== 44 /* , */) {
        // Not a sequence of objects (a string, a number, a stray `}`...): the rest of this
        // oversize line is one rejected item, pushed when the line ends.
        this.skipLine = true;
        this.rest.add(chunk, i, to);
        return;
      }
    }
    if (this.inRecord && start >= 0) this.record.add(chunk, start, to);
  }

  private finishObject(): void {
    if (this.record.size > this.maxRecordBytes) return this.pushTooLarge(`line ${this.lineNo}: a record`, this.record);
    const size = this.record.size;
    const text = this.record.text();
    try {
      this.push({ value: JSON.parse(text) as unknown }, size);
    } catch (error) {
      this.push({ error: `line ${this.lineNo}: invalid JSON (${(error as Error).message})`, raw: text }, size);
    }
  }

  // ---- json (one array) ----

  private writeArray(chunk: Buffer, from: number): void {
    let start = this.inRecord ? from : -1;
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.closed) {
        if (!isSpace(c)) throw new IngestError(400, 'body is not valid JSON: unexpected data after the array');
        continue;
      }
      if (this.inString) {
        i = this.skipInString(chunk, i, chunk.length);
        continue;
      }
      if (this.depth === 0 && (c === 44 /* , */ || c === 93) /* ] */) {
        if (this.inRecord) {
          this.record.add(chunk, start, i);
          start = -1;
          this.inRecord = false;
          this.finishElement();
        } else if (c === 44 || !(this.expectValue && this.values + this.tooLarge === 0)) {
          // `[,`, `[1,,2]` or `[1,]`; `[]` alone is a valid empty batch.
          throw new IngestError(400, `body is not valid JSON: unexpected "${String.fromCharCode(c)}" in the array`);
        }
        if (c === 93) this.closed = true;
        else this.expectValue = true;
        continue;
      }
      if (!this.inRecord) {
        if (isSpace(c)) continue;
        if (!this.expectValue) throw new IngestError(400, 'body is not valid JSON: expected "," or "]" after an array element');
        this.inRecord = true;
        this.expectValue = false;
        start = i;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91 /* [ */) this.depth++;
      else if (c === 125 || c === 93) {
        if (this.depth === 0) throw new IngestError(400, `body is not valid JSON: unexpected "${String.fromCharCode(c)}" in the array`);
        this.depth--;
      }
    }
    if (this.inRecord && start >= 0) this.record.add(chunk, start, chunk.length);
  }

  private finishElement(): void {
    if (this.record.size > this.maxRecordBytes) return this.pushTooLarge('an array element', this.record);
    const size = this.record.size;
    const text = this.record.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new IngestError(400, `body is not valid JSON: ${(error as Error).message}`);
    }
    this.push({ value }, size);
  }
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
