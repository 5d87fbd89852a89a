import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeJsonLines, fluentBitIsoDate, toJsonLine } from '../src/json-lines.ts';

const readAt = fluentBitIsoDate(new Date(Date.UTC(2026, 10, 25, 10, 0, 1, 123)));

describe('toJsonLine (what Fluent Bit json parser + json_date_key timestamp would send)', () => {
  it('prints dates the way Fluent Bit iso8601 does, with microseconds', () => {
    expect(readAt).toBe('2026-11-25T10:00:01.123000Z');
  });

  it('keeps a record that has its own timestamp byte for byte', () => {
    const line = '{"timestamp":"2026-11-25T10:00:00","latency_ms":12.50,"client_ip":"127.0.0.1"}';
    expect(toJsonLine(line, readAt)).toBe(line);
    expect(toJsonLine(`  ${line}\r`, readAt)).toBe(line);
  });

  it('adds the read time as timestamp, first, to a record without one', () => {
    expect(toJsonLine('{"path":"/a","status":200}', readAt)).toBe('{"timestamp":"2026-11-25T10:00:01.123000Z","path":"/a","status":200}');
    expect(toJsonLine('{ }', readAt)).toBe('{"timestamp":"2026-11-25T10:00:01.123000Z"}');
    expect(JSON.parse(toJsonLine('{  "a" : 1 }', readAt)!)).toEqual({ timestamp: readAt, a: 1 });
  });

  it('wraps a line that is not a JSON object as {"log": line}, like a failed parse', () => {
    expect(JSON.parse(toJsonLine('GET /health 200', readAt)!)).toEqual({ timestamp: readAt, log: 'GET /health 200' });
    expect(JSON.parse(toJsonLine('[1,2]', readAt)!)).toEqual({ timestamp: readAt, log: '[1,2]' });
    expect(JSON.parse(toJsonLine('{"cut":', readAt)!)).toEqual({ timestamp: readAt, log: '{"cut":' });
  });

  it('skips blank lines', () => {
    expect(toJsonLine('', readAt)).toBeUndefined();
    expect(toJsonLine(' \r', readAt)).toBeUndefined();
  });
});

describe('encodeJsonLines', () => {
  it('builds the same body as the Fluent Bit capture for the same records', async () => {
    const fixture = gunzipSync(await readFile(join(import.meta.dirname, 'fixtures/fluentbit-json_lines.gz'))).toString();
    const lines = fixture.split('\n').slice(0, -1);
    const { body, records } = encodeJsonLines(lines, new Date());
    expect(records).toBe(5);
    expect(gunzipSync(body).toString()).toBe(fixture);
  });

  it('is deterministic: the same lines and read time give the same bytes', () => {
    const lines = ['{"path":"/a"}', 'plain text', '', '{"timestamp":"2026-11-25T10:00:00Z"}'];
    const at = new Date(Date.UTC(2026, 10, 25));
    const a = encodeJsonLines(lines, at);
    const b = encodeJsonLines([...lines], new Date(at));
    expect(a.records).toBe(3);
    expect(a.body.equals(b.body)).toBe(true);
    expect(gunzipSync(a.body).toString().endsWith('\n')).toBe(true);
  });
});
