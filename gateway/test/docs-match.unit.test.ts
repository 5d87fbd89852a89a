import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autoBucketSeconds } from '../src/analytics/traffic.ts';
import { RULES } from '../src/insights/recommendations/rules.ts';
import { bucketKey, bucketValue, GAMMA, MAX_KEY, MAX_LATENCY_MS, MIN_MS } from '../src/storage/histogram.ts';
import { parseRecord } from '../src/ingest/record.ts';

/**
 * What README.md and the schema descriptions promise about defaults and thresholds is what the
 * code does (issue 15 item 8: both said "then 1d" beyond 30 days, and left out thresholds).
 */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const schema = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
const DAY = 86_400_000;
const bucketOf = (days: number) => autoBucketSeconds({ from: new Date(0), to: new Date(days * DAY) });

describe('docs say what the code does', () => {
  it("traffic's default bucket beyond 30 days", () => {
    expect([bucketOf(31), bucketOf(125), bucketOf(126), bucketOf(500), bucketOf(501)]).toEqual([21_600, 21_600, 86_400, 86_400, 604_800]);
    expect(readme).toContain('6h ≤125d (at most 500 points), 1d ≤500d, then 7d');
    expect(schema).toContain('6h up to 125 days (at most 500 points), 1d up to 500 days, then 7d');
  });

  it('recommendation thresholds', () => {
    expect(RULES.paginate.minSampled).toBe(10);
    expect(RULES.cache.minRequests).toBe(50);
    for (const text of [readme, schema]) {
      expect(text).toMatch(/cache a hot slow GET \(≥ 50 requests|Cache a GET endpoint with ≥ 50 requests/i);
      expect(text).toMatch(/over ≥ 10 of its newest requests that logged\s+a size/);
      expect(text).toMatch(/MEDIUM\s+severity or worse/);
    }
  });

  it('percentile accuracy and range', () => {
    // The bound the histogram guarantees, the range it covers, and that it is ingest's own bound.
    expect((GAMMA - 1) / (GAMMA + 1)).toBeLessThanOrEqual(0.039);
    expect(MIN_MS).toBe(0.1);
    expect(MAX_LATENCY_MS).toBe(24 * 3_600_000);
    expect(bucketKey(MAX_LATENCY_MS)).toBeLessThanOrEqual(MAX_KEY);
    expect(Math.abs(bucketValue(bucketKey(MAX_LATENCY_MS)) / MAX_LATENCY_MS - 1)).toBeLessThanOrEqual(0.039);
    const now = Date.UTC(2026, 0, 5);
    const accepted = (latency_ms: number) =>
      parseRecord(
        { timestamp: new Date(now).toISOString(), path: '/x', method: 'GET', status: 200, latency_ms },
        { defaultService: 'docs', dateKey: 'date', zoneless: 'UTC', now },
      ).ok;
    expect(accepted(MAX_LATENCY_MS)).toBe(true);
    expect(accepted(MAX_LATENCY_MS + 1)).toBe(false);
    expect(readme).toContain('within 3.9 % of the exact value for any latency from 0.1 ms to 24 h');
    expect(schema).toContain('within 3.9 % of the exact value for any latency from 0.1 ms to 24 h');
  });
});
