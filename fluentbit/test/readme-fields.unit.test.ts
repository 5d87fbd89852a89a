// The field table of fluentbit/README.md ("Pointing Fluent Bit at another service") says what the
// gateway requires: each row is checked against the gateway's own record validation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecord } from '@logpulse/gateway/ingest/record';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Pointing Fluent Bit at another service'));
/** `| \`field\` | yes/no | notes |` rows; a row may name several fields. */
const rows = [...section.matchAll(/^\| ((?:`[^`]+`(?:, )?)+) \| (yes|no) \|/gm)].flatMap((m) =>
  [...m[1]!.matchAll(/`([^`]+)`/g)].map((f) => ({ field: f[1]!, required: m[2] === 'yes' })),
);

const full: Record<string, unknown> = {
  timestamp: '2026-11-25T10:00:01.123Z',
  path: '/api/users/42',
  method: 'GET',
  status: 200,
  latency_ms: 12.5,
  user_agent: 'curl/8.0',
  ip_address: '10.0.0.1',
  service: 'api',
  request_id: 'r-1',
  bytes: 512,
};
const ctx = { defaultService: 'default', dateKey: 'date', zoneless: 'UTC' as const, now: Date.UTC(2026, 11, 1) };

describe('fluentbit/README.md field table', () => {
  it('lists every field the gateway reads', () => {
    expect(rows.map((r) => r.field).sort()).toEqual(Object.keys(full).sort());
  });

  it.each(rows)('$field: required = $required', ({ field, required }) => {
    const { [field]: _dropped, ...without } = full;
    expect(parseRecord(full, ctx).ok).toBe(true);
    expect(parseRecord(without, ctx).ok, `a record without ${field}`).toBe(!required);
  });
});
