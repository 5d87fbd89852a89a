// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/index.tsx';
import { createFormatters } from '../../lib/format.ts';
import { bottleneckReasons } from './bottleneck-view.ts';

describe('bottleneck reasons', () => {
  const fmt = createFormatters('en', 'UTC');
  const t = createTranslate('en', fmt);

  it('words each broken rule with the number that breaks it', () => {
    const reasons = bottleneckReasons(
      { reasons: ['P95_OVER_THRESHOLD', 'SLOWER_THAN_BEFORE', 'SLOWER_THAN_SERVICE'], p95: 2150, baselineP95: 700, serviceMedianP95: 50 },
      500,
      fmt,
      t,
    );
    expect(reasons).toEqual([
      { reason: 'P95_OVER_THRESHOLD', text: 'p95 over 500 ms (4.3×)' },
      { reason: 'SLOWER_THAN_BEFORE', text: '3.1× slower than the previous period' },
      { reason: 'SLOWER_THAN_SERVICE', text: '43× the median of its service' },
    ]);
  });

  it('says so in Korean, and never divides by a missing figure', () => {
    const koFmt = createFormatters('ko', 'Asia/Seoul');
    const ko = createTranslate('ko', koFmt);
    expect(
      bottleneckReasons({ reasons: ['P95_OVER_THRESHOLD'], p95: 1200, baselineP95: null, serviceMedianP95: null }, 500, koFmt, ko),
    ).toEqual([{ reason: 'P95_OVER_THRESHOLD', text: 'p95 기준 500ms 초과 (2.4배)' }]);
    expect(
      bottleneckReasons({ reasons: ['SLOWER_THAN_BEFORE'], p95: 1200, baselineP95: null, serviceMedianP95: null }, 500, fmt, t)[0]!.text,
    ).toBe('–× slower than the previous period');
  });
});
