// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/index.tsx';
import { createFormatters } from '../../lib/format.ts';
import { anomalyLogs, anomalySubject, anomalyValue, baselineText, explainAnomaly, latestFirst, type AnomalyFacts } from './anomaly-view.ts';

const enFmt = createFormatters('en', 'UTC');
const en = createTranslate('en', enFmt);
const koFmt = createFormatters('ko', 'Asia/Seoul');
const ko = createTranslate('ko', koFmt);

const burst: AnomalyFacts = {
  kind: 'ERROR_RATE',
  service: 'shop-api',
  method: 'POST',
  route: '/api/checkout',
  start: '2026-11-25T10:01:00.000Z',
  end: '2026-11-25T10:04:00.000Z',
  peakAt: '2026-11-25T10:02:00.000Z',
  observed: 0.5,
  baseline: 0.0085,
  spread: 0.0203,
  score: 24.21,
  unit: 'RATIO',
  requests: 72,
  errors: 36,
  baselineKind: 'TRAILING',
  baselineSamples: 60,
};

describe('anomaly view', () => {
  it('lists the most recently ended first', () => {
    const a = { start: '2026-11-25T10:00:00Z', end: '2026-11-25T10:05:00Z', id: 'a' };
    const b = { start: '2026-11-25T10:20:00Z', end: '2026-11-25T10:21:00Z', id: 'b' };
    const c = { start: '2026-11-25T10:10:00Z', end: '2026-11-25T10:21:00Z', id: 'c' };
    expect(latestFirst([a, b, c]).map((x) => x.id)).toEqual(['b', 'c', 'a']);
    expect(latestFirst([a, b, c], 1).map((x) => x.id)).toEqual(['b']);
  });

  it('formats values in the anomaly’s unit', () => {
    expect(anomalyValue('RATIO', 0.5, enFmt)).toBe('50%');
    expect(anomalyValue('RATIO', 0.0085, enFmt)).toBe('0.9%');
    expect(anomalyValue('MS', 1840, enFmt)).toBe('1,840 ms');
    expect(anomalyValue('REQUESTS', 12.25, enFmt)).toBe('12.3');
  });

  it('names the endpoint, the service or all traffic', () => {
    expect(anomalySubject(burst, en)).toBe('POST /api/checkout');
    expect(anomalySubject({ service: 'shop-api', method: null, route: null }, en)).toBe('All of shop-api');
    expect(anomalySubject({ service: null, method: null, route: null }, ko)).toBe('전체 트래픽');
  });

  it('drills down to the logs of its endpoint and window, only the 5xx for an error-rate anomaly', () => {
    expect(anomalyLogs(burst, null)).toEqual({
      service: 'shop-api',
      route: '/api/checkout',
      method: 'POST',
      from: burst.start,
      to: burst.end,
      statusClass: 5,
    });
    const overall = { ...burst, kind: 'TRAFFIC_SPIKE' as const, service: null, method: null, route: null };
    expect(anomalyLogs(overall, 'auth-api')).toEqual({
      service: 'auth-api',
      route: null,
      method: null,
      from: burst.start,
      to: burst.end,
      statusClass: null,
    });
  });

  it('describes the baseline it was judged against', () => {
    expect(baselineText(burst, 60, enFmt, en)).toBe('previous 1 hr');
    expect(baselineText({ baselineKind: 'TRAILING', baselineSamples: 36 }, 300, koFmt, ko)).toBe('직전 3시간');
    expect(baselineText({ baselineKind: 'SEASONAL', baselineSamples: 7 }, 3600, enFmt, en)).toBe('same time in 7 earlier cycles');
  });

  it('explains an error burst in English and Korean, in the dashboard’s zone', () => {
    expect(explainAnomaly(burst, 60, enFmt, en)).toBe(
      'The 5xx rate of POST /api/checkout reached 50% at Nov 25, 10:02; usually 0.9%. ' +
        'Robust z-score 24.2 against the previous 1 hr (spread ±2%). 36 of 72 requests failed over 3 min.',
    );
    expect(explainAnomaly(burst, 60, koFmt, ko)).toBe(
      'POST /api/checkout의 5xx 오류율이 11월 25일 19:02에 50%까지 올랐습니다(평소 0.9%). ' +
        '기준선(직전 1시간) 대비 강건 z 점수 24.2, 변동 폭 ±2%. 3분 동안 요청 72건 중 36건이 실패했습니다.',
    );
  });

  it('gives the multiple of usual for traffic and latency, but not against a zero baseline', () => {
    const latency: AnomalyFacts = {
      ...burst,
      kind: 'LATENCY',
      unit: 'MS',
      observed: 1840,
      baseline: 80,
      spread: 8,
      score: 220,
      end: '2026-11-25T10:06:00.000Z',
    };
    expect(explainAnomaly(latency, 60, enFmt, en)).toBe(
      'The p95 latency of POST /api/checkout reached 1,840 ms at Nov 25, 10:02; usually 80 ms. That is 23× the usual. ' +
        'Robust z-score 220 against the previous 1 hr (spread ±8 ms). It lasted 5 min.',
    );
    const spike: AnomalyFacts = {
      ...burst,
      kind: 'TRAFFIC_SPIKE',
      unit: 'REQUESTS',
      route: null,
      method: null,
      service: null,
      observed: 40,
      baseline: 0,
      spread: 1,
      score: 40,
    };
    expect(explainAnomaly(spike, 60, enFmt, en)).not.toContain('×');
    expect(explainAnomaly(spike, 60, enFmt, en)).toContain('Traffic on All traffic reached 40 requests per 1 min');
  });
});
