import { describe, expect, it } from 'vitest';
import { unwrapLogEnvelope } from '../../src/ingest/log-envelope.ts';

const line = { timestamp: '2026-11-25T10:00:01.123Z', path: '/api/users/42', method: 'GET', status: 200, latency_ms: 12.5, request_id: 'r-1' };

describe('unwrapLogEnvelope', () => {
  it('reads the JSON line inside `log` (Fluent Bit without a parser, Docker) or `message` as the record', () => {
    expect(unwrapLogEnvelope({ date: 1796497754.98, log: `${JSON.stringify(line)}\n` }, 'date')).toEqual({ ok: true, value: line });
    expect(unwrapLogEnvelope({ message: JSON.stringify(line), stream: 'stdout', logtag: 'F' }, 'date')).toEqual({ ok: true, value: line });
  });

  it('uses the outer time only when the line has none, and keeps outer fields the line lacks', () => {
    const { timestamp: _t, ...timeless } = line;
    expect(unwrapLogEnvelope({ date: 1796497754.5, log: JSON.stringify(timeless) }, 'date')).toEqual({ ok: true, value: { date: 1796497754.5, ...timeless } });
    expect(unwrapLogEnvelope({ time: '2026-11-25T10:00:09Z', stream: 'stderr', log: JSON.stringify(timeless) }, 'date')).toEqual({
      ok: true,
      value: { time: '2026-11-25T10:00:09Z', ...timeless },
    });
    expect(unwrapLogEnvelope({ date: 1, host: 'web-1', log: JSON.stringify({ ...line, host: 'inner' }) }, 'date')).toEqual({ ok: true, value: { ...line, host: 'inner' } });
    expect(unwrapLogEnvelope({ date: 1, host: 'web-1', log: JSON.stringify(line) }, 'date')).toEqual({ ok: true, value: { host: 'web-1', ...line } });
  });

  it('leaves records alone, and explains a text line', () => {
    const record = { ...line, message: '{"not":"unwrapped"}' };
    expect(unwrapLogEnvelope(record, 'date')).toEqual({ ok: true, value: record });
    expect(unwrapLogEnvelope({ foo: 1 }, 'date')).toEqual({ ok: true, value: { foo: 1 } });
    for (const text of ['not json at all', '[1,2]', '{"broken":']) {
      const result = unwrapLogEnvelope({ date: 1, log: text }, 'date');
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/log holds a text line.*parser: logpulse_json/);
    }
  });
});
