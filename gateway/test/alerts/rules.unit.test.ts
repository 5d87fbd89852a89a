import { describe, expect, it } from 'vitest';
import { evaluateCondition, describeCondition, type WindowFigures } from '../../src/alerts/conditions.ts';
import { AlertInputError, channelFromInput, labelsMatch, ruleFromInput, silenceFromInput } from '../../src/alerts/rules.ts';
import { retryDelayMs } from '../../src/alerts/outbox.ts';
import { signBody } from '../../src/alerts/channels.ts';
import { createHmac } from 'node:crypto';
import { oldestByService } from '../../src/storage/ingest-arrivals.ts';

const fig = (over: Partial<WindowFigures>): WindowFigures => ({
  count: 100,
  errors4xx: 0,
  errors5xx: 0,
  p95: 100,
  p99: 200,
  minutes: 5,
  ...over,
});

describe('alert conditions', () => {
  const rate = { kind: 'server_error_rate' as const, threshold: 0.05, resolveThreshold: 0.03, minRequests: 20 };

  it('judges a 5xx rate with hysteresis', () => {
    expect(evaluateCondition(rate, fig({ errors5xx: 6 }))).toEqual({ value: 0.06, breaching: true, recovered: false });
    expect(evaluateCondition(rate, fig({ errors5xx: 4 }))).toEqual({ value: 0.04, breaching: false, recovered: false });
    expect(evaluateCondition(rate, fig({ errors5xx: 3 }))).toEqual({ value: 0.03, breaching: false, recovered: true });
  });

  it('does not judge a rate over fewer than minRequests requests', () => {
    expect(evaluateCondition(rate, fig({ count: 4, errors5xx: 4 }))).toMatchObject({ breaching: false, recovered: true });
  });

  it('counts 4xx and 5xx for the error rate, and reads percentiles', () => {
    const errors = { kind: 'error_rate' as const, threshold: 0.1, resolveThreshold: null, minRequests: 20 };
    expect(evaluateCondition(errors, fig({ errors4xx: 6, errors5xx: 5 })).breaching).toBe(true);
    const p99 = { kind: 'p99' as const, threshold: 150, resolveThreshold: null, minRequests: 20 };
    expect(evaluateCondition(p99, fig({}))).toEqual({ value: 200, breaching: true, recovered: false });
  });

  it('request rate below, and no data', () => {
    const below = { kind: 'request_rate_below' as const, threshold: 10, resolveThreshold: 12, minRequests: 20 };
    expect(evaluateCondition(below, fig({ count: 40, minutes: 5 }))).toEqual({ value: 8, breaching: true, recovered: false });
    expect(evaluateCondition(below, fig({ count: 60, minutes: 5 }))).toEqual({ value: 12, breaching: false, recovered: true });
    const noData = { kind: 'no_data' as const, threshold: 0, resolveThreshold: null, minRequests: 0 };
    expect(evaluateCondition(noData, fig({ count: 0 }))).toMatchObject({ breaching: true, recovered: false });
    expect(evaluateCondition(noData, fig({ count: 1 }))).toMatchObject({ breaching: false, recovered: true });
  });

  it('an anomaly rule fires while the detector finds something, and resolves when it finds nothing', () => {
    const anomaly = { kind: 'anomaly' as const, threshold: 0, resolveThreshold: null, minRequests: 20 };
    expect(evaluateCondition(anomaly, fig({ count: 0, anomalies: 2 }))).toEqual({ value: 2, breaching: true, recovered: false });
    expect(evaluateCondition(anomaly, fig({ anomalies: 0 }))).toEqual({ value: 0, breaching: false, recovered: true });
    expect(ruleFromInput({ name: 'a', kind: 'anomaly' })).toMatchObject({ threshold: 0, anomalyKind: null, minSeverity: 'HIGH' });
    expect(() => ruleFromInput({ name: 'a', kind: 'p95', threshold: 1, anomalyKind: 'LATENCY' })).toThrow(
      /anomalyKind: applies to anomaly rules only/,
    );
  });

  it('ingest lag fires above its threshold in seconds, with hysteresis, and needs minRequests records', () => {
    const lag = { kind: 'ingest_lag' as const, threshold: 60, resolveThreshold: 30, minRequests: 20 };
    expect(evaluateCondition(lag, fig({ lagSeconds: 600 }))).toEqual({ value: 600, breaching: true, recovered: false });
    expect(evaluateCondition(lag, fig({ lagSeconds: 45 }))).toEqual({ value: 45, breaching: false, recovered: false });
    expect(evaluateCondition(lag, fig({ lagSeconds: 0.2 }))).toEqual({ value: 0.2, breaching: false, recovered: true });
    // Five late records are no evidence; no arrivals at all is no_data's business.
    expect(evaluateCondition(lag, fig({ count: 5, lagSeconds: 600 }))).toMatchObject({ breaching: false, recovered: true });
    expect(evaluateCondition(lag, fig({ count: 0, lagSeconds: null }))).toEqual({ value: null, breaching: false, recovered: true });
    expect(describeCondition({ kind: 'ingest_lag', threshold: 90, windowSeconds: 300, service: 'shop', route: null, method: null })).toBe(
      'p95 ingest lag > 90 s over 5m (shop)',
    );
  });

  it('validates ingest lag rules: seconds within a day, service filter only', () => {
    expect(ruleFromInput({ name: 'late', kind: 'ingest_lag', threshold: 120, service: 'shop' })).toMatchObject({
      threshold: 120,
      service: 'shop',
    });
    const bad = (input: Parameters<typeof ruleFromInput>[0]) => () => ruleFromInput(input);
    expect(bad({ name: 'x', kind: 'ingest_lag', threshold: 0 })).toThrow(/^threshold: an ingest lag threshold is in seconds/);
    expect(bad({ name: 'x', kind: 'ingest_lag', threshold: 90_000 })).toThrow(/^threshold: an ingest lag threshold is in seconds/);
    expect(bad({ name: 'x', kind: 'ingest_lag', threshold: 60, route: '/api/pay' })).toThrow(
      /^route: ingest_lag rules filter by service only/,
    );
    expect(bad({ name: 'x', kind: 'ingest_lag', threshold: 60, method: 'GET' })).toThrow(
      /^method: ingest_lag rules filter by service only/,
    );
    expect(bad({ name: 'x', kind: 'ingest_lag', threshold: 60, resolveThreshold: 90 })).toThrow(/^resolveThreshold: must not be above/);
  });

  it("an arrival's lag is taken from each service's oldest record", () => {
    const at = (iso: string) => new Date(iso);
    expect(
      oldestByService([
        { service: 'a', timestamp: at('2026-01-01T00:00:05Z') },
        { service: 'b', timestamp: at('2026-01-01T00:00:09Z') },
        { service: 'a', timestamp: at('2026-01-01T00:00:01Z') },
      ]),
    ).toEqual({ a: Date.parse('2026-01-01T00:00:01Z'), b: Date.parse('2026-01-01T00:00:09Z') });
    expect(oldestByService([])).toEqual({});
  });

  it('describes a condition in words', () => {
    expect(
      describeCondition({
        kind: 'server_error_rate',
        threshold: 0.05,
        windowSeconds: 300,
        service: 'shop',
        route: '/api/pay',
        method: 'POST',
      }),
    ).toBe('5xx rate > 5.0 % over 5m (shop POST /api/pay)');
  });
});

describe('rule input', () => {
  const bad = (input: Parameters<typeof ruleFromInput>[0]) => {
    try {
      ruleFromInput(input);
    } catch (error) {
      expect(error).toBeInstanceOf(AlertInputError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('fills defaults', () => {
    const rule = ruleFromInput({ name: ' Errors ', kind: 'server_error_rate', threshold: 0.05, method: 'get' });
    expect(rule).toMatchObject({
      name: 'Errors',
      windowSeconds: 300,
      forSeconds: 0,
      enabled: true,
      severity: 'warning',
      method: 'GET',
      labels: {},
    });
    expect(ruleFromInput({ name: 'quiet', kind: 'no_data', windowSeconds: 600 }).threshold).toBe(0);
  });

  it('refuses bad input with the field named', () => {
    expect(bad({ name: 'x', kind: 'server_error_rate', threshold: 5 })).toMatch(/^threshold: a rate threshold is a ratio/);
    expect(bad({ name: '', kind: 'p95', threshold: 5 })).toMatch(/^name: /);
    expect(bad({ name: 'x', kind: 'p95', threshold: 500, resolveThreshold: 600 })).toMatch(/^resolveThreshold: must not be above/);
    expect(bad({ name: 'x', kind: 'request_rate_below', threshold: 10, resolveThreshold: 5 })).toMatch(
      /^resolveThreshold: must not be below/,
    );
    expect(bad({ name: 'x', kind: 'p95', threshold: 500, windowSeconds: 10 })).toMatch(/^windowSeconds: must be at least 60/);
    expect(bad({ name: 'x', kind: 'p95' })).toMatch(/^threshold: /);
    expect(bad({ name: 'x', kind: 'p95', threshold: 1, labels: { 'bad key': 'v' } })).toMatch(/^labels/);
    expect(bad({ name: 'x', kind: 'p95', threshold: 1, channelIds: ['nope'] })).toMatch(/^channelIds/);
    expect(bad({ name: 'x', kind: 'no_data', threshold: 3 })).toMatch(/^threshold: no_data takes no threshold/);
  });

  it('validates channels and silences', () => {
    expect(channelFromInput({ name: 'mail', kind: 'email', target: 'a@example.com, b@example.org' }).target).toBe(
      'a@example.com, b@example.org',
    );
    expect(() => channelFromInput({ name: 'hook', kind: 'webhook', target: 'ftp://x' })).toThrow(/target: must be an http\(s\) URL/);
    expect(() => channelFromInput({ name: 'hook', kind: 'webhook', target: 'http://x', secret: 'short' })).toThrow(
      /secret: must be at least 16/,
    );
    const now = new Date();
    expect(() => silenceFromInput({ endsAt: new Date(now.getTime() + 60_000) }, now)).toThrow(/needs a ruleId or labels/);
    expect(() => silenceFromInput({ labels: { team: 'a' }, endsAt: new Date(now.getTime() - 1) }, now)).toThrow(
      /endsAt: must be in the future/,
    );
    expect(labelsMatch({ team: 'a' }, { team: 'a', env: 'prod' })).toBe(true);
    expect(labelsMatch({ team: 'b' }, { team: 'a' })).toBe(false);
  });
});

describe('delivery helpers', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayMs(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(retryDelayMs(3, 1000, 60_000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(20, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(1, 1000, 60_000, () => 0)).toBe(800);
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256', () => {
    const expected = createHmac('sha256', 'k'.repeat(16)).update('1700000000.{"a":1}').digest('hex');
    expect(signBody('k'.repeat(16), 1700000000, '{"a":1}')).toBe(`sha256=${expected}`);
  });
});
