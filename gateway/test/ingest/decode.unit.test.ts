import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkContentType,
  DecodedBudget,
  decodeRecords,
  decompress,
  IngestError,
  RecordSplitter,
  splitJsonStream,
  type DecodedItem,
} from '../../src/ingest/decode.ts';

/** Splits a whole decoded body, given at once, into JSON values as the streaming splitter reads it. */
function splitRecords(text: string): DecodedItem[] {
  const items: DecodedItem[] = [];
  const splitter = new RecordSplitter((item) => items.push(item));
  splitter.write(Buffer.from(text, 'utf8'));
  splitter.end();
  return items;
}

const values = (text: string) => splitRecords(text).map((i) => ('value' in i ? i.value : i));

describe('splitRecords', () => {
  it('reads json arrays, json_lines and json_stream', () => {
    expect(values('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(values('{"a":1}\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(values('{"a":1}{"a":"}{"}{"b":[1,{"c":2}]}')).toEqual([{ a: 1 }, { a: '}{' }, { b: [1, { c: 2 }] }]);
    expect(values('{"a":"\\"}"}\r\n{"a":2}')).toEqual([{ a: '"}' }, { a: 2 }]);
  });

  it('turns a malformed line into one rejected item and keeps the rest', () => {
    const items = splitRecords('{"a":1}\n{"a":\n{"a":3}\n');
    expect(items).toHaveLength(3);
    expect(items[1]).toMatchObject({ raw: '{"a":' });
    expect((items[1] as { error: string }).error).toMatch(/^line 2: invalid JSON/);
  });

  it('refuses a body with nothing parseable (400 with where and what)', () => {
    for (const body of ['', '   ', 'garbage', '[{"a":1},', '{"a":1', 'null\n', '"just a string"']) {
      try {
        const items = splitRecords(body);
        // JSON scalars parse: they are rejected later as "record must be a JSON object".
        expect(items.every((i) => 'value' in i)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(IngestError);
        expect((error as IngestError).status).toBe(400);
      }
    }
    expect(() => splitRecords('[1,')).toThrow(/not valid JSON/);
    expect(() => splitRecords('nope\nnope')).toThrow(/line 1: invalid JSON/);
  });

  it('splitJsonStream refuses text that is not a sequence of objects', () => {
    expect(splitJsonStream('{"a":1} x {"b":2}')).toBeNull();
    expect(splitJsonStream('{"a":1}}')).toBeNull();
    expect(splitJsonStream('{"a":1')).toBeNull();
  });
});

describe('decompress', () => {
  it('inflates gzip by header or by magic bytes and passes plain bodies through', async () => {
    const gz = gzipSync('{"a":1}\n');
    expect((await decompress(gz, 'gzip', 1000)).toString()).toBe('{"a":1}\n');
    expect((await decompress(gz, undefined, 1000)).toString()).toBe('{"a":1}\n');
    expect((await decompress(Buffer.from('{}'), undefined, 1000)).toString()).toBe('{}');
  });

  it('stops a gzip bomb at the decompressed limit (413) and refuses corrupt or truncated gzip (400)', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expect(decompress(bomb, 'gzip', 1024 * 1024)).rejects.toMatchObject({ status: 413 });
    const gz = gzipSync('{"a":1}\n'.repeat(100));
    await expect(decompress(gz.subarray(0, gz.length - 10), 'gzip', 1e6)).rejects.toMatchObject({ status: 400 });
    await expect(decompress(Buffer.from('not gzip'), 'gzip', 1e6)).rejects.toMatchObject({ status: 400 });
    await expect(decompress(Buffer.from('x'), 'br', 1e6)).rejects.toMatchObject({ status: 415 });
  });
});

describe('checkContentType', () => {
  it('accepts Fluent Bit types, a duplicated header, and refuses others with 415', () => {
    expect(() => checkContentType('application/json')).not.toThrow();
    expect(() => checkContentType('application/x-ndjson')).not.toThrow();
    expect(() => checkContentType('application/json, application/json')).not.toThrow();
    expect(() => checkContentType('application/json; charset=utf-8')).not.toThrow();
    expect(() => checkContentType(undefined)).not.toThrow();
    expect(() => checkContentType('text/html')).toThrow(/unsupported Content-Type "text\/html"/);
    expect(() => checkContentType('multipart/form-data; boundary=x')).toThrow(IngestError);
  });
});

describe('decoded bytes in flight (issue 21.6)', () => {
  // A small gzip body that decodes to 1.5 MB: the shape of the attack (tiny bodies, big decodes).
  const record = JSON.stringify({ path: '/x', status: 200, latency_ms: 1, user_agent: 'a'.repeat(200) });
  const plain = Buffer.from(`${record}\n`.repeat(Math.ceil(1_500_000 / (record.length + 1))));
  const small = gzipSync(plain, { level: 9 });

  it('refuses (503, retryable) a body whose decoded bytes would pass the budget while other batches hold theirs', async () => {
    const budget = new DecodedBudget(2_000_000);
    const first = budget.lease();
    const decoded = await decompress(small, 'gzip', 128 * 1024 * 1024, first);
    expect(decoded.length).toBe(plain.length);
    const second = budget.lease();
    const refused = await decompress(small, 'gzip', 128 * 1024 * 1024, second).catch((e: unknown) => e);
    console.info(
      `[reliability] decoded-bytes budget 2,000,000: a ${small.length}-byte gzip body decoding to ${plain.length} bytes; second at once: ${(refused as IngestError).status}; in use: ${budget.inUse}`,
    );
    expect(refused).toBeInstanceOf(IngestError);
    expect((refused as IngestError).status).toBe(503);
    // The refused batch gave back what it had taken: only the first batch's bytes are held.
    second.release();
    expect(budget.inUse).toBe(plain.length);
    first.release();
    expect(budget.inUse).toBe(0);
    // Once the first is done, the same body goes through.
    const third = budget.lease();
    expect((await decompress(small, 'gzip', 128 * 1024 * 1024, third)).length).toBe(plain.length);
    third.release();
  });

  it('lets a batch alone use the whole per-body limit even past the budget, so no body is refused forever', async () => {
    const budget = new DecodedBudget(100_000);
    const lease = budget.lease();
    expect((await decompress(small, 'gzip', 128 * 1024 * 1024, lease)).length).toBe(plain.length);
    lease.release();
    expect(budget.inUse).toBe(0);
  });

  it('counts uncompressed bodies too', async () => {
    const budget = new DecodedBudget(2_000_000);
    const held = budget.lease();
    expect(held.take(1_000_000)).toBe(true);
    const other = budget.lease();
    await expect(decompress(plain, undefined, 128 * 1024 * 1024, other)).rejects.toMatchObject({ status: 503 });
    held.release();
  });
});

/** The whole-body splitter this streaming one replaced (decode to one string, JSON.parse it): the reference for bodies under the record bound. */
function wholeBodySplit(text: string): DecodedItem[] {
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
    throw new IngestError(400, `body has no parseable JSON record; ${(items[0] as { error: string }).error}`);
  }
  return items;
}

type Outcome = { items: DecodedItem[] } | { status: number; message: string };

/** Splits `body` fed in the given chunks (byte offsets), as the streaming decoder does. */
function splitInChunks(body: Buffer, cuts: readonly number[], maxRecordBytes?: number): Outcome {
  const items: DecodedItem[] = [];
  try {
    const splitter = new RecordSplitter((item) => items.push(item), maxRecordBytes);
    let from = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      splitter.write(body.subarray(from, Math.max(from, cut)));
      from = Math.max(from, cut);
    }
    splitter.write(body.subarray(from));
    splitter.end();
    return { items };
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    return { status: error.status, message: error.message };
  }
}

function wholeOutcome(text: string): Outcome {
  try {
    return { items: wholeBodySplit(text) };
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    return { status: error.status, message: error.message };
  }
}

// Pieces of Fluent Bit bodies, good and bad, that the generated bodies are made of.
const piece = fc.oneof(
  fc.constantFrom(
    '{"path":"/a","status":200}',
    '{"a":"}{\\"[,]"}',
    '{"log":"{\\"path\\":\\"/x\\"}"}',
    '[{"a":1},{"b":[2,3]}]',
    '[]',
    '{"a":1}{"b":2}',
    '{"a":1} {"b":2},{"c":3}',
    '{"a":',
    'nope',
    '"text"',
    '12',
    'null',
    '{"a":"é😀\\u0000"}',
    '   ',
    '\r',
    '',
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 12 }),
);
const body = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((lines) => lines.join('\n')),
  fc.array(piece, { maxLength: 12 }).map((elements) => `[${elements.join(',')}]`),
  fc.array(fc.constantFrom('{"a":1}', '{"s":"x\\"}"}', ' '), { maxLength: 20 }).map((objects) => objects.join('')),
);

describe('RecordSplitter (streaming, issue 21.6)', () => {
  it('reads a body cut into chunks at any bytes exactly as in one piece', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat(400), { maxLength: 8 }), (text, cuts) => {
        const bytes = Buffer.from(text, 'utf8');
        expect(splitInChunks(bytes, cuts)).toEqual(splitInChunks(bytes, []));
      }),
      { numRuns: 3_000 },
    );
  }, 60_000);

  it('reads records past the bound (long json_stream lines, oversize records) the same at any chunking', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat(400), { maxLength: 8 }), fc.integer({ min: 8, max: 64 }), (text, cuts, bound) => {
        const bytes = Buffer.from(text, 'utf8');
        expect(splitInChunks(bytes, cuts, bound)).toEqual(splitInChunks(bytes, [], bound));
      }),
      { numRuns: 3_000 },
    );
  }, 60_000);

  it('finds the same values and line errors as the whole-body parser it replaced (arrays: the same values or both a 400)', () => {
    fc.assert(
      fc.property(body, (text) => {
        const streamed = splitInChunks(Buffer.from(text, 'utf8'), []);
        const whole = wholeOutcome(text);
        if (text.trim().startsWith('[') && 'status' in whole) {
          // Array syntax errors: the same 400, though the parser's message names another position.
          expect(streamed).toMatchObject({ status: 400, message: expect.stringMatching(/^body is not valid JSON: /) });
        } else {
          expect(streamed).toEqual(whole);
        }
      }),
      { numRuns: 5_000 },
    );
  }, 60_000);

  it('rejects a record past the bound unparsed, keeping its first 8 KB, and reads the records around it', () => {
    const big = `{"path":"/big","user_agent":"${'u'.repeat(3000)}"}`;
    const small = '{"path":"/ok"}';
    for (const [text, cuts] of [
      [`${small}\n${big}\n${small}`, [5, 1500, 2000]],
      [`[${small},${big},${small}]`, [1, 3000]],
      // json_stream on one line: the long line is read object by object.
      [`${small}${big}${small}`, [20, 2500]],
    ] as const) {
      const outcome = splitInChunks(Buffer.from(text), cuts, 1000);
      expect(outcome).toHaveProperty('items');
      const items = (outcome as { items: DecodedItem[] }).items;
      expect(items.map((i) => ('value' in i ? i.value : 'tooLarge' in i && i.tooLarge))).toEqual([{ path: '/ok' }, true, { path: '/ok' }]);
      const rejected = items[1] as { error: string; raw: string };
      expect(rejected.error).toMatch(/is larger than 1000 bytes \(3\d{3}\): not parsed/);
      expect(big.startsWith(rejected.raw)).toBe(true);
    }
    // A body of only oversize records is not a malformed body: its records are rejected, no 400.
    expect(splitInChunks(Buffer.from(big), [], 1000)).toMatchObject({ items: [{ tooLarge: true }] });
    // A long line of many small json_stream objects is read whole.
    const stream = '{"path":"/s","n":1}'.repeat(500);
    expect((splitInChunks(Buffer.from(`${stream}\n${small}`), [777, 5000], 1000) as { items: unknown[] }).items).toHaveLength(501);
    // A long line that is not a sequence of objects is one rejected item; the next line still counts.
    const garbage = `${small}${'x'.repeat(5000)}`;
    const mixed = splitInChunks(Buffer.from(`${garbage}\n${small}`), [], 1000) as { items: DecodedItem[] };
    expect(mixed.items.map((i) => ('value' in i ? 'value' : i.error))).toEqual([
      'value',
      'line 1: longer than 1000 bytes and not a sequence of JSON objects',
      'value',
    ]);
    // A long line holding one JSON string (not an object) is rejected, never skipped silently.
    const text = splitInChunks(Buffer.from(`"${'s'.repeat(2000)}"\n${small}`), [300], 1000) as { items: DecodedItem[] };
    expect(text.items).toMatchObject([{ tooLarge: true, raw: expect.stringMatching(/^"s{100}/) }, { value: { path: '/ok' } }]);
  });

  it('keeps its 400s: empty, unclosed or trailing data after an array, and nothing parseable', () => {
    expect(splitInChunks(Buffer.from(' \n\t\r\n'), [])).toEqual({ status: 400, message: 'body is empty: expected JSON records' });
    expect(splitInChunks(Buffer.from('[{"a":1}'), [])).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^body is not valid JSON: /),
    });
    expect(splitInChunks(Buffer.from('[{"a":1}] x'), [])).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^body is not valid JSON: /),
    });
    expect(splitInChunks(Buffer.from('\n\nnope\nnope'), [])).toMatchObject({
      status: 400,
      message: expect.stringMatching(/; line 1: invalid JSON/),
    });
    expect(splitInChunks(Buffer.from('\ufeff[{"a":1}]'), [])).toEqual({ items: [{ value: { a: 1 } }] });
  });
});

describe('decodeRecords (issue 21.6)', () => {
  it('decodes a many-chunk gzip body to exactly the records of its text (chunks are freed as soon as read)', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ path: `/p/${i}`, status: 200 + (i % 300), latency_ms: i, note: 'é😀'.repeat(i % 7) }),
    );
    const plain = `${lines.join('\n')}\n[${lines.slice(0, 50).join(',')}]\n${lines.slice(0, 50).join('')}\n`;
    const items: DecodedItem[] = [];
    await decodeRecords(gzipSync(plain), 'gzip', 128 * 1024 * 1024, (item) => items.push(item));
    expect(Buffer.byteLength(plain)).toBeGreaterThan(20 * 64 * 1024);
    expect(items).toEqual(splitRecords(plain));
    expect(items).toHaveLength(20_100);
  });

  it('holds no decoded bytes for blank lines or the unparsed rest of an oversize record', async () => {
    const record = '{"path":"/x","status":200,"latency_ms":1}';
    const plain = `${record}\n${'\n'.repeat(4_000_000)}{"path":"/y","user_agent":"${'a'.repeat(3 * 1024 * 1024)}"}\n${record}\n`;
    const gz = gzipSync(plain, { level: 9 });
    const budget = new DecodedBudget(100_000);
    const other = budget.lease();
    expect(other.take(60_000)).toBe(true);
    const lease = budget.lease();
    const items: DecodedItem[] = [];
    await decodeRecords(gz, 'gzip', 128 * 1024 * 1024, (item) => items.push(item), lease);
    console.info(
      `[reliability] decodeRecords: a ${gz.length}-byte gzip body decoding to ${plain.length} bytes (4,000,000 blank lines, a 3 MiB record) holds ${budget.inUse - 60_000} bytes of the budget; items: ${items.length}`,
    );
    expect(items.map((i) => ('value' in i ? 'value' : i.error.replace(/\d+/g, 'N')))).toEqual([
      'value',
      'a record is larger than N bytes (N): not parsed'.replace(/^/, 'line N: '),
      'value',
    ]);
    expect(budget.inUse - 60_000).toBeLessThan(10_000);
    lease.release();
    other.release();
    expect(budget.inUse).toBe(0);
  });

  it('refuses (503) when the records it keeps would pass the budget while others hold theirs, and keeps 400/413/415', async () => {
    const record = JSON.stringify({ path: '/x', status: 200, latency_ms: 1, user_agent: 'a'.repeat(200) });
    const plain = Buffer.from(`${record}\n`.repeat(10_000));
    const budget = new DecodedBudget(2_000_000);
    const held = budget.lease();
    expect(held.take(1_000_000)).toBe(true);
    const noop = () => undefined;
    await expect(decodeRecords(gzipSync(plain), 'gzip', 128 * 1024 * 1024, noop, budget.lease())).rejects.toMatchObject({ status: 503 });
    await expect(decodeRecords(plain, undefined, 128 * 1024 * 1024, noop, budget.lease())).rejects.toMatchObject({ status: 503 });
    held.release();
    await expect(decodeRecords(gzipSync(Buffer.alloc(5_000_000, 0x20)), 'gzip', 1_000_000, noop)).rejects.toMatchObject({ status: 413 });
    await expect(decodeRecords(plain, undefined, 1_000_000, noop)).rejects.toMatchObject({ status: 413 });
    await expect(decodeRecords(gzipSync(plain).subarray(0, 500), 'gzip', 1e9, noop)).rejects.toMatchObject({ status: 400 });
    await expect(decodeRecords(Buffer.from('x'), 'br', 1e9, noop)).rejects.toMatchObject({ status: 415 });
    await expect(decodeRecords(gzipSync('[{"a":1},'), 'gzip', 1e9, noop)).rejects.toMatchObject({ status: 400 });
  });
});
