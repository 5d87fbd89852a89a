import { describe, expect, it } from 'vitest';
import { backoffDelay, verdictFor } from '../src/delivery.ts';

describe('verdictFor (Fluent Bit out_http)', () => {
  it('counts only 200-205 as delivered', () => {
    for (const status of [200, 201, 202, 203, 204, 205]) expect(verdictFor(status)).toBe('ok');
    for (const status of [206, 301, 304, 100]) expect(verdictFor(status)).toBe('retry');
  });

  it('drops on 4xx except 408 and 429, retries 5xx', () => {
    for (const status of [400, 401, 403, 404, 413, 415, 499]) expect(verdictFor(status)).toBe('drop');
    for (const status of [408, 429, 500, 502, 503, 504]) expect(verdictFor(status)).toBe('retry');
  });
});

describe('backoffDelay', () => {
  it('stays between base and min(cap, base * 2^attempt)', () => {
    expect(backoffDelay(1, 1000, 30_000, () => 0)).toBe(1000);
    expect(backoffDelay(1, 1000, 30_000, () => 1)).toBe(2000);
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000);
    expect(backoffDelay(10, 1000, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(2000, 1000, 30_000, () => 0.5)).toBe(15_500);
  });
});
