import { describe, expect, it } from 'vitest';
import { analyzeOffline } from '../../src/ai/offline-analyst.ts';
import type { EndpointFigures, TotalsFigures, WindowStatistics } from '../../src/ai/window-statistics.ts';

/** The rules of the offline analyst on hand-made statistics (the incident scenarios run in offline.test.ts). */
const to = new Date('2026-11-25T14:10:00Z');
const from = new Date(to.getTime() - 5 * 60_000);

function totals(requests: number, minutes: number, o: Partial<TotalsFigures> = {}): TotalsFigures {
  return {
    requests,
    requestsPerMinute: requests / minutes,
    errors4xx: 0,
    errors5xx: 0,
    errorRatePct: 0,
    serverErrorRatePct: 0,
    avgMs: 20,
    p50Ms: 15,
    p95Ms: 40,
    p99Ms: 60,
    maxMs: 90,
    ...o,
  };
}

function endpoint(
  method: string,
  route: string,
  now: Partial<TotalsFigures> & { requests: number },
  before: (Partial<TotalsFigures> & { requests: number }) | null,
): EndpointFigures {
  return {
    endpoint: `${method} ${route}`,
    service: 'shop',
    method,
    route,
    ...totals(now.requests, 5, now),
    baseline: before ? totals(before.requests, 60, before) : null,
  };
}

function stats(o: Partial<WindowStatistics>): WindowStatistics {
  return {
    window: { from, to, minutes: 5 },
    baselineWindow: { from: new Date(from.getTime() - 3_600_000), to: from, minutesCovered: 60 },
    service: null,
    timeZone: 'UTC',
    totals: totals(500, 5),
    baselineTotals: totals(6000, 60),
    perMinute: [],
    endpoints: [
      endpoint('GET', '/api/users', { requests: 300 }, { requests: 3600 }),
      endpoint('GET', '/api/products', { requests: 200 }, { requests: 2400 }),
    ],
    statuses: [{ status: 200, count: 500, sharePct: 100, topEndpoints: [] }],
    anomalies: [],
    firingAlerts: [],
    bottlenecks: [],
    recommendations: [],
    ...o,
  };
}

describe('offline analyst', () => {
  it('says all is normal, with the overall numbers, when nothing stands out', () => {
    const insight = analyzeOffline(stats({}));
    expect(insight.severity).toBe('ok');
    expect(insight.worstEndpoint).toBeNull();
    expect(insight.problems).toEqual([]);
    expect(insight.summary).toBe(
      'All normal in the last 5 minutes: 500 requests (100/min), error rate 0% (5xx 0%), p95 40 ms. Nothing stands out against the previous hour.',
    );
    expect(insight.evidence.map((e) => e.label)).toEqual(['requests', 'error rate', '5xx rate', 'p95 latency']);
  });

  it('leads with the alerts firing now and takes their severity, in English and Korean', () => {
    const firingAlerts = [
      { rule: 'shop 5xx', severity: 'critical', condition: '5xx rate > 20.0 % over 2m (shop)', value: '60.0 %', firingSince: to },
    ];
    const insight = analyzeOffline(stats({ firingAlerts }));
    expect(insight.severity).toBe('critical');
    expect(insight.summary).toMatch(/^1 alert firing now\. All normal in the last 5 minutes/);
    expect(insight.problems).toEqual(['Alert firing: [CRITICAL] shop 5xx: 60.0 % (5xx rate > 20.0 % over 2m (shop)).']);
    const ko = analyzeOffline(stats({ firingAlerts }), 'ko');
    expect(ko.summary).toMatch(/^지금 발생 중인 알림 1건\. /);
    expect(ko.problems[0]).toBe('발생 중인 알림: [CRITICAL] shop 5xx: 60.0 % (5xx rate > 20.0 % over 2m (shop)).');
    // An info rule names the alert without raising the level.
    expect(analyzeOffline(stats({ firingAlerts: [{ ...firingAlerts[0]!, severity: 'info' }] })).severity).toBe('ok');
  });

  it('reports silence after traffic as a warning', () => {
    const insight = analyzeOffline(stats({ totals: totals(0, 5), endpoints: [] }));
    expect(insight.severity).toBe('warning');
    expect(insight.summary).toMatch(
      /^No requests were logged in the last 5 minutes, although the previous hour averaged 100 requests per minute/,
    );
    expect(insight.improvements[0]).toMatch(/pipelineHealth/);
  });

  it('finds a traffic spike and a new 4xx wave, and tells chronic slowness apart', () => {
    const insight = analyzeOffline(
      stats({
        totals: totals(2500, 5),
        endpoints: [
          endpoint('POST', '/api/login', { requests: 900, errors4xx: 600 }, { requests: 3600, errors4xx: 36 }),
          endpoint('GET', '/api/report', { requests: 50, p95Ms: 4200, avgMs: 2500 }, { requests: 600, p95Ms: 4000 }),
        ],
      }),
    );
    expect(insight.severity).toBe('warning');
    expect(insight.problems).toContain("Traffic spike: 500 requests/min, 5× the previous hour's 100/min.");
    expect(insight.problems).toContain('Client-error wave on POST /api/login: 66.7% of requests got 4xx (600), against 1% before.');
    expect(insight.problems).toContain('GET /api/report is slow: p95 4,200 ms (avg 2,500 ms).');
    expect(insight.evidence).toContainEqual({ label: 'traffic increase', value: 5, unit: 'x' });
  });

  it('lists known, chronic issues without raising the severity', () => {
    const insight = analyzeOffline(
      stats({
        endpoints: [
          endpoint('GET', '/api/users', { requests: 300 }, { requests: 3600 }),
          endpoint(
            'GET',
            '/api/error/:id',
            { requests: 40, errors5xx: 10, serverErrorRatePct: 25 },
            { requests: 480, errors5xx: 120, serverErrorRatePct: 25 },
          ),
        ],
      }),
    );
    expect(insight.severity).toBe('ok');
    expect(insight.worstEndpoint).toBeNull();
    expect(insight.summary).toBe(
      'No new problems in the last 5 minutes: 500 requests (100/min), error rate 0% (5xx 0%), p95 40 ms. Known issues: GET /api/error/:id failing chronically.',
    );
    expect(insight.problems).toEqual([
      'GET /api/error/:id keeps failing: 25% 5xx now and 25% in the previous hour (a chronic failure, not a new incident).',
    ]);
  });

  it('does not call a spike from a baseline that covers only a few minutes', () => {
    const insight = analyzeOffline(stats({ totals: totals(2500, 5), baselineWindow: { from, to: from, minutesCovered: 3 } }));
    expect(insight.problems.some((p) => p.startsWith('Traffic spike'))).toBe(false);
  });

  it('merges in anomalies the rules did not cover, and writes Korean', () => {
    const insight = analyzeOffline(
      stats({
        anomalies: [
          {
            kind: 'volume',
            endpoint: 'GET /api/products',
            from: new Date('2026-11-25T14:06:00Z'),
            to: new Date('2026-11-25T14:08:00Z'),
            value: 400,
            baseline: 40,
            unit: 'requests',
            score: 9.5,
            direction: 'up',
          },
        ],
      }),
      'ko',
    );
    expect(insight.problems).toEqual(['14:06–14:08에 GET /api/products의 트래픽 이상: 400 requests(평소 40 requests, 점수 9.5).']);
    expect(insight.worstEndpoint).toBe('GET /api/products');
    expect(insight.summary).toMatch(/^최근 5분 동안 문제 1건이 발견되었습니다/);
  });

  it('sees a 502/503 burst as an upstream problem', () => {
    const insight = analyzeOffline(
      stats({
        endpoints: [
          endpoint(
            'GET',
            '/api/checkout',
            { requests: 200, errors5xx: 80, serverErrorRatePct: 40 },
            { requests: 2400, errors5xx: 2, serverErrorRatePct: 0.08 },
          ),
        ],
        statuses: [{ status: 502, count: 80, sharePct: 16, topEndpoints: ['GET /api/checkout (80)'] }],
      }),
    );
    expect(insight.severity).toBe('critical');
    expect(insight.worstEndpoint).toBe('GET /api/checkout');
    expect(insight.causes[0]).toMatch(/^The failures on GET \/api\/checkout \(502\) come from a proxy or upstream/);
  });
});

describe('offline text from hostile log data (issue 21.9)', () => {
  it('strips bidi overrides, zero-width and control characters that came from the logs, keeping the names readable', () => {
    const route = '/api/\u202Elog\u200Bin\u0007';
    const insight = analyzeOffline(
      stats({
        totals: totals(2500, 5),
        endpoints: [endpoint('POST', route, { requests: 900, errors4xx: 600 }, { requests: 3600, errors4xx: 36 })],
      }),
    );
    const text = JSON.stringify(insight);
    expect(text).toContain('POST /api/login');
    for (const hidden of ['\u202E', '\u200B', '\u0007']) expect(text).not.toContain(hidden);
  });
});
