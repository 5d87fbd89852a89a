// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/index.tsx';
import { createFormatters } from '../../lib/format.ts';
import { aiEvidenceLabel } from './ai-evidence.ts';

const ko = createTranslate('ko', createFormatters('ko', 'UTC'));
const en = createTranslate('en', createFormatters('en', 'UTC'));

describe('AI evidence labels', () => {
  it('translates the metric and keeps the endpoint as logged', () => {
    expect(aiEvidenceLabel('GET /api/orders 5xx rate, previous hour', ko)).toEqual({
      scope: 'GET /api/orders',
      metric: '직전 1시간 5xx 비율',
      translated: true,
    });
    expect(aiEvidenceLabel('shop-api POST /api/pay p95', en)).toEqual({
      scope: 'shop-api POST /api/pay',
      metric: 'p95 latency',
      translated: true,
    });
    expect(aiEvidenceLabel('requests', ko)).toEqual({ scope: null, metric: '요청 수', translated: true });
  });

  it('reads the anomaly labels, "overall" being all traffic', () => {
    expect(aiEvidenceLabel('overall volume, usual', en)).toEqual({ scope: null, metric: 'Usual traffic volume', translated: true });
    expect(aiEvidenceLabel('GET /x latency anomaly score', ko).metric).toBe('지연 시간 이상 점수');
  });

  it('shows a label it does not know (a model’s own words) as sent', () => {
    expect(aiEvidenceLabel('checkout conversion dip', ko)).toEqual({ scope: null, metric: 'checkout conversion dip', translated: false });
  });
});
