import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkContentType, DecodedBudget, decompress, IngestError, splitRecords, splitJsonStream } from '../../src/ingest/decode.ts';

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
