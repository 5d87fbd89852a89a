// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/index.tsx';
import { createFormatters } from '../../lib/format.ts';
import { alertValueText, conditionText } from './condition-text.ts';

const en = createFormatters('en', 'UTC');
const ko = createFormatters('ko', 'UTC');
const tEn = createTranslate('en', en);
const tKo = createTranslate('ko', ko);

describe('alert conditions and values, written by the dashboard', () => {
  it('reads like the API’s condition in English, and is Korean in Korean', () => {
    const rule = { kind: 'SERVER_ERROR_RATE', threshold: 0.05, windowSeconds: 300, service: null, method: null, route: null } as const;
    expect(conditionText(rule, tEn, en)).toBe('5xx rate > 5.0 % over 5 min');
    expect(conditionText(rule, tKo, ko)).toBe('5분 동안 5xx 비율 > 5.0 %');
    const scoped = {
      kind: 'REQUEST_RATE_BELOW',
      threshold: 30,
      windowSeconds: 60,
      service: 'shop',
      method: 'GET',
      route: '/api/a',
    } as const;
    expect(conditionText(scoped, tEn, en)).toBe('request rate < 30.0 req/min over 1 min');
    expect(conditionText({ kind: 'NO_DATA', threshold: 1, windowSeconds: 600 }, tKo, ko)).toBe('10분 동안 레코드 없음');
    expect(
      conditionText({ kind: 'ANOMALY', threshold: 1, windowSeconds: 900, anomalyKind: 'ERROR_RATE', minSeverity: 'LOW' }, tEn, en),
    ).toBe('any 5xx error rate anomaly at severity ≥ Low in 15 min');
    expect(conditionText({ kind: 'ANOMALY', threshold: 1, windowSeconds: 900, minSeverity: 'HIGH' }, tKo, ko)).toBe(
      '15분 안에 심각도 높음 이상의 이상 징후',
    );
  });

  it('writes values in the unit of the rule’s kind, plurals by the locale’s rules', () => {
    expect(alertValueText('ERROR_RATE', 0.5, tEn, en)).toBe('50.0 %');
    expect(alertValueText('LATENCY_P95', 1234.5, tEn, en)).toBe('1,235 ms');
    expect(alertValueText('INGEST_LAG', 4.25, tKo, ko)).toBe('4.3 초');
    expect(alertValueText('NO_DATA', 1, tEn, en)).toBe('1 record');
    expect(alertValueText('NO_DATA', 0, tEn, en)).toBe('0 records');
    expect(alertValueText('ANOMALY', 2, tKo, ko)).toBe('이상 징후 2건');
    expect(alertValueText('LATENCY_P99', null, tKo, ko)).toBe('데이터 없음');
  });
});
