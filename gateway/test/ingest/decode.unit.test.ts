import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkContentType, decompress, IngestError, splitRecords, splitJsonStream } from '../../src/ingest/decode.ts';

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
