import { wilsonLowerBound } from '../insights/robust-stats.ts';
import type { Evidence } from '../domain/evidence.ts';
import { count, ms, pct, round, span } from './format.ts';
import { insightLevelRank, type InsightLevel } from '../domain/severity.ts';
import type { InsightFindings } from './insight-format.ts';
import { withoutInvisible } from './untrusted.ts';
import type { Language } from './language.ts';
import type { AnomalyFigures, EndpointFigures, NotedFinding, TotalsFigures, WindowStatistics } from './window-statistics.ts';

/**
 * The offline analyst: the same findings a model would give (summary, severity, worst endpoint,
 * problems, causes, improvements, evidence), derived by rules from the window statistics. Every
 * claim carries the numbers it rests on. Pure: statistics in, findings out.
 *
 * What it looks for, each endpoint judged against its own previous hour:
 * - error bursts: a clearly raised 5xx rate (Wilson lower bound ≥ 5 %, at least 5 errors);
 *   told apart from endpoints that were already failing as much before;
 * - latency regressions: p95 at least twice its baseline and 250 ms above it; endpoints slow
 *   all along (p95 ≥ 1 s) are reported as chronic, with a lower priority;
 * - client-error bursts (a new 4xx wave: broken clients, auth trouble, scanners);
 * - traffic spikes and drops against the baseline rate, and silence;
 * - anomalies, bottlenecks and recommendations from the insight analyses, merged in.
 */

type FindingKind =
  'errorBurst' | 'chronicErrors' | 'latency' | 'chronicSlow' | 'clientErrors' | 'trafficSpike' | 'trafficDrop' | 'anomaly' | 'bottleneck';

interface Finding {
  kind: FindingKind;
  endpoint: string | null;
  /** 'ok' for known, chronic issues: listed, but they do not make the window look degraded. */
  severity: InsightLevel;
  /** Ranks findings: roughly "how many requests went wrong because of it". */
  score: number;
  problem: string;
  cause: string | null;
  improvement: string | null;
  evidence: Evidence[];
  /** The endpoint's figures in a few words, for listing it inside a group. */
  detail?: string;
  /** Service and resource (e.g. "shop /api/products") that endpoint findings of one kind are grouped by. */
  resource?: string | null;
  /** Every endpoint a grouped finding speaks for. */
  members?: string[];
}

const MIN_SERVER_ERRORS = 5;
const MIN_ERROR_RATE = 0.05;
const MIN_BASELINE_REQUESTS = 20;
const MIN_SLOW_REQUESTS = 5;
const REGRESSION_FACTOR = 2;
const REGRESSION_MIN_DELTA_MS = 250;
const SLOW_P95_MS = 1000;
const SPIKE_FACTOR = 2;
const DROP_FACTOR = 0.3;
/** Traffic is only compared with a baseline that covers at least this many minutes. */
const MIN_BASELINE_MINUTES = 10;

const ev = (label: string, value: number | null | undefined, unit: string | null): Evidence[] =>
  value == null || !Number.isFinite(value) ? [] : [{ label, value: round(value, 2), unit }];

/** Phrases in both languages; every number is formatted by the caller. */
const T = {
  en: {
    windowName: (m: number) => `the last ${m} minute${m === 1 ? '' : 's'}`,
    noTraffic: (w: string) => `No requests were logged in ${w}, and none in the hour before it either: there is nothing to analyse yet.`,
    silence: (w: string, base: string) =>
      `No requests were logged in ${w}, although the previous hour averaged ${base} requests per minute. Either traffic stopped or logs are not reaching the gateway.`,
    silenceCause: 'The service may be down or unreachable, or the log shipper (Fluent Bit) may have stopped sending.',
    silenceFix: 'Check that the service is up, then the shipper: the pipelineHealth query shows the last batch received per service.',
    allNormal: (w: string, t: TotalsFigures) =>
      `All normal in ${w}: ${count(t.requests)} requests (${round(t.requestsPerMinute)}/min), error rate ${pct(t.errorRatePct)} (5xx ${pct(t.serverErrorRatePct)}), p95 ${ms(t.p95Ms)}. Nothing stands out against the previous hour.`,
    onlyKnown: (w: string, t: TotalsFigures, known: string) =>
      `No new problems in ${w}: ${count(t.requests)} requests (${round(t.requestsPerMinute)}/min), error rate ${pct(t.errorRatePct)} (5xx ${pct(t.serverErrorRatePct)}), p95 ${ms(t.p95Ms)}. Known issues: ${known}.`,
    someProblems: (n: number, w: string, top: string, t: TotalsFigures) =>
      `${n} problem${n === 1 ? '' : 's'} in ${w}. Most serious: ${top}. Overall: ${count(t.requests)} requests, 5xx ${pct(t.serverErrorRatePct)}, p95 ${ms(t.p95Ms)}.`,
    errorBurst: (e: string, r: string, n: string, base: string | null, when: string) =>
      `Error burst on ${e}: ${r} of its requests failed with 5xx (${n} errors)${base ? `, against ${base} in the previous hour` : ''}${when}.`,
    errorBurstShort: (e: string, r: string) => `an error burst on ${e} (${r} 5xx)`,
    errorCause: (e: string, statuses: string) =>
      `The failures on ${e} are server-side (${statuses}): an exception or a failing dependency (database, upstream API) in that handler, or a recent deploy.`,
    gatewayCause: (e: string, statuses: string) =>
      `The failures on ${e} (${statuses}) come from a proxy or upstream: the backend behind it is down, overloaded or timing out.`,
    errorFix: (e: string, route: string) =>
      `Look at the failing requests of ${e} (recentLogs with filter {route: "${route}", statusClass: 5}) and its service's error logs; roll back a recent deploy if the burst started with it.`,
    chronicErrors: (e: string, r: string, base: string) =>
      `${e} keeps failing: ${r} 5xx now and ${base} in the previous hour (a chronic failure, not a new incident).`,
    chronicErrorsShort: (e: string) => `${e} failing chronically`,
    chronicErrorsFix: (e: string) => `Fix or remove ${e}: a route that always fails hides real incidents in the error rate.`,
    latency: (e: string, p95: string, base: string, factor: string, when: string) =>
      `Latency regression on ${e}: p95 ${p95}, ${factor}× its ${base} of the previous hour${when}.`,
    latencyShort: (e: string, p95: string) => `a latency regression on ${e} (p95 ${p95})`,
    latencyLocalCause: (e: string) =>
      `Only ${e} slowed down while other endpoints kept their usual latency: a slow query, lock or external call behind that endpoint rather than overall load.`,
    latencyLoadCause: (e: string) => `${e} slowed down while traffic rose: the service or its database may be saturated.`,
    latencyFix: (e: string, route: string) =>
      `Trace the slow requests of ${e} (recentLogs with filter {route: "${route}", minLatencyMs: …}); add a timeout and, for a read, a cache in front of the slow dependency.`,
    chronicSlow: (e: string, p95: string, avg: string) => `${e} is slow: p95 ${p95} (avg ${avg}).`,
    chronicSlowShort: (e: string, p95: string) => `${e} is slow (p95 ${p95})`,
    chronicSlowFix: (e: string, get: boolean) =>
      get
        ? `Cache or precompute the response of ${e}, or paginate it.`
        : `Move the slow work of ${e} off the request path (a queue or background job).`,
    clientErrors: (e: string, r: string, n: string, base: string | null) =>
      `Client-error wave on ${e}: ${r} of requests got 4xx (${n})${base ? `, against ${base} before` : ''}.`,
    clientErrorsShort: (e: string) => `a 4xx wave on ${e}`,
    clientErrorsCause: (e: string) =>
      `Callers of ${e} are sending requests it rejects: a client release, expired credentials, or a scanner probing paths.`,
    clientErrorsFix: (e: string) => `Check which clients get 4xx on ${e} (endpointDetail top clients); rate-limit or block a scanner.`,
    spike: (rate: string, base: string, factor: string) =>
      `Traffic spike: ${rate} requests/min, ${factor}× the previous hour's ${base}/min.`,
    spikeShort: (factor: string) => `a ${factor}× traffic spike`,
    spikeCause: 'Demand rose sharply: a campaign, a retry storm from a failing client, or a bot.',
    spikeFix: 'Check the top clients and user agents of the window; rate-limit a noisy client and make sure the service can scale out.',
    drop: (rate: string, base: string) => `Traffic drop: ${rate} requests/min against ${base}/min in the previous hour.`,
    dropShort: 'a traffic drop',
    dropCause: 'Clients may not be reaching the service (DNS, load balancer) or logs are only partly arriving.',
    anomaly: (a: AnomalyFigures, e: string, when: string) =>
      `Unusual ${a.kind === 'volume' ? 'traffic volume' : a.kind === 'errors' ? 'error rate' : 'latency'} ${e ? `on ${e} ` : ''}at ${when}: ${fmtValue(a.value, a.unit)} against a usual ${fmtValue(a.baseline, a.unit)} (score ${round(a.score)}).`,
    anomalyShort: (a: AnomalyFigures, e: string) =>
      `unusual ${a.kind === 'volume' ? 'traffic' : a.kind === 'errors' ? 'errors' : 'latency'}${e ? ` on ${e}` : ''}`,
    at: (when: string) => ` (${when})`,
    monitorFix: 'Add alerts on the 5xx rate and p95 per endpoint so the next incident pages someone.',
    sameOnOthers: (n: number, resource: string, details: string) =>
      `The same on ${n} other endpoint${n === 1 ? '' : 's'} under ${resource}: ${details}.`,
    latencyGroupCause: (n: number, resource: string) =>
      `All ${n} endpoints under ${resource} slowed down together while the rest of the API kept its usual latency: something they share (their table or database, a downstream service, a lock) rather than one handler or overall load.`,
    errorGroupCause: (n: number, resource: string, statuses: string) =>
      `All ${n} endpoints under ${resource} fail together (${statuses}): a dependency they share (their table or database, an upstream service) or a bad deploy of that part of the code.`,
    latencyDetail: (e: string, p95: string, factor: string) => `${e} (p95 ${p95}, ${factor}×)`,
    errorDetail: (e: string, r: string) => `${e} (${r} 5xx)`,
    alsoTop: (other: string) => `; also ${other}`,
    alertsFiring: (n: number) => `${n} alert${n === 1 ? '' : 's'} firing now.`,
    alertFiring: (severity: string, rule: string, value: string, condition: string) =>
      `Alert firing: [${severity}] ${rule}: ${value} (${condition}).`,
  },
  ko: {
    windowName: (m: number) => `최근 ${m}분`,
    noTraffic: (w: string) => `${w} 동안 기록된 요청이 없고, 그 전 한 시간에도 없었습니다. 아직 분석할 데이터가 없습니다.`,
    silence: (w: string, base: string) =>
      `${w} 동안 기록된 요청이 없습니다. 직전 한 시간에는 분당 평균 ${base}건이었습니다. 트래픽이 끊겼거나 로그가 게이트웨이에 도착하지 않고 있습니다.`,
    silenceCause: '서비스가 중단되었거나 접근할 수 없는 상태이거나, 로그 전송기(Fluent Bit)가 멈췄을 수 있습니다.',
    silenceFix:
      '서비스가 살아 있는지 확인한 뒤 로그 전송기를 확인하세요. pipelineHealth 쿼리로 서비스별 마지막 배치 수신 시각을 볼 수 있습니다.',
    allNormal: (w: string, t: TotalsFigures) =>
      `${w} 동안 정상입니다: 요청 ${count(t.requests)}건(분당 ${round(t.requestsPerMinute)}건), 에러율 ${pct(t.errorRatePct)}(5xx ${pct(t.serverErrorRatePct)}), p95 ${ms(t.p95Ms)}. 직전 한 시간과 비교해 눈에 띄는 이상이 없습니다.`,
    onlyKnown: (w: string, t: TotalsFigures, known: string) =>
      `${w} 동안 새로운 문제는 없습니다: 요청 ${count(t.requests)}건(분당 ${round(t.requestsPerMinute)}건), 에러율 ${pct(t.errorRatePct)}(5xx ${pct(t.serverErrorRatePct)}), p95 ${ms(t.p95Ms)}. 알려진 문제: ${known}.`,
    someProblems: (n: number, w: string, top: string, t: TotalsFigures) =>
      `${w} 동안 문제 ${n}건이 발견되었습니다. 가장 심각한 문제: ${top}. 전체: 요청 ${count(t.requests)}건, 5xx ${pct(t.serverErrorRatePct)}, p95 ${ms(t.p95Ms)}.`,
    errorBurst: (e: string, r: string, n: string, base: string | null, when: string) =>
      `${e}에서 에러 급증: 요청의 ${r}가 5xx로 실패했습니다(에러 ${n}건)${base ? `. 직전 한 시간에는 ${base}였습니다` : ''}${when}.`,
    errorBurstShort: (e: string, r: string) => `${e}의 에러 급증(5xx ${r})`,
    errorCause: (e: string, statuses: string) =>
      `${e}의 실패는 서버 측 에러(${statuses})입니다: 해당 핸들러의 예외, 의존성(데이터베이스, 외부 API) 장애 또는 최근 배포가 원인일 수 있습니다.`,
    gatewayCause: (e: string, statuses: string) =>
      `${e}의 실패(${statuses})는 프록시나 업스트림에서 발생했습니다: 뒤쪽 백엔드가 중단되었거나 과부하 또는 타임아웃 상태입니다.`,
    errorFix: (e: string, route: string) =>
      `${e}의 실패한 요청(recentLogs, filter {route: "${route}", statusClass: 5})과 서비스의 에러 로그를 확인하세요. 급증이 최근 배포와 함께 시작되었다면 롤백하세요.`,
    chronicErrors: (e: string, r: string, base: string) =>
      `${e}는 계속 실패하고 있습니다: 현재 5xx ${r}, 직전 한 시간 ${base}(새 장애가 아닌 만성적인 실패).`,
    chronicErrorsShort: (e: string) => `${e}의 만성적인 실패`,
    chronicErrorsFix: (e: string) => `${e}를 고치거나 제거하세요. 항상 실패하는 경로는 에러율 속에서 실제 장애를 가립니다.`,
    latency: (e: string, p95: string, base: string, factor: string, when: string) =>
      `${e}의 지연 시간 증가: p95 ${p95}로 직전 한 시간(${base})의 ${factor}배입니다${when}.`,
    latencyShort: (e: string, p95: string) => `${e}의 지연 시간 증가(p95 ${p95})`,
    latencyLocalCause: (e: string) =>
      `다른 엔드포인트는 평소 지연 시간을 유지하는데 ${e}만 느려졌습니다: 전체 부하보다는 해당 엔드포인트 뒤의 느린 쿼리, 잠금 또는 외부 호출이 원인일 가능성이 큽니다.`,
    latencyLoadCause: (e: string) => `트래픽이 늘면서 ${e}가 느려졌습니다: 서비스나 데이터베이스가 포화 상태일 수 있습니다.`,
    latencyFix: (e: string, route: string) =>
      `${e}의 느린 요청(recentLogs, filter {route: "${route}", minLatencyMs: …})을 추적하고, 느린 의존성 앞에 타임아웃과(조회라면) 캐시를 두세요.`,
    chronicSlow: (e: string, p95: string, avg: string) => `${e}가 느립니다: p95 ${p95}(평균 ${avg}).`,
    chronicSlowShort: (e: string, p95: string) => `${e}가 느림(p95 ${p95})`,
    chronicSlowFix: (e: string, get: boolean) =>
      get
        ? `${e}의 응답을 캐시하거나 미리 계산하거나 페이지네이션하세요.`
        : `${e}의 느린 작업을 요청 경로 밖(큐나 백그라운드 작업)으로 옮기세요.`,
    clientErrors: (e: string, r: string, n: string, base: string | null) =>
      `${e}에서 클라이언트 에러 급증: 요청의 ${r}가 4xx를 받았습니다(${n}건)${base ? `. 이전에는 ${base}였습니다` : ''}.`,
    clientErrorsShort: (e: string) => `${e}의 4xx 급증`,
    clientErrorsCause: (e: string) =>
      `${e}의 호출자가 거부되는 요청을 보내고 있습니다: 클라이언트 배포, 만료된 인증 정보 또는 경로를 훑는 스캐너일 수 있습니다.`,
    clientErrorsFix: (e: string) =>
      `${e}에서 4xx를 받는 클라이언트를 확인하고(endpointDetail의 상위 클라이언트), 스캐너라면 속도 제한이나 차단을 하세요.`,
    spike: (rate: string, base: string, factor: string) =>
      `트래픽 급증: 분당 ${rate}건으로 직전 한 시간(분당 ${base}건)의 ${factor}배입니다.`,
    spikeShort: (factor: string) => `트래픽 ${factor}배 급증`,
    spikeCause: '수요가 급격히 늘었습니다: 캠페인, 실패한 클라이언트의 재시도 폭주 또는 봇일 수 있습니다.',
    spikeFix:
      '이 구간의 상위 클라이언트와 User-Agent를 확인하고, 요란한 클라이언트는 속도 제한을 걸고 서비스가 수평 확장될 수 있는지 확인하세요.',
    drop: (rate: string, base: string) => `트래픽 감소: 분당 ${rate}건으로 직전 한 시간(분당 ${base}건)보다 크게 줄었습니다.`,
    dropShort: '트래픽 감소',
    dropCause: '클라이언트가 서비스에 도달하지 못하거나(DNS, 로드 밸런서) 로그가 일부만 도착하고 있을 수 있습니다.',
    anomaly: (a: AnomalyFigures, e: string, when: string) =>
      `${when}에 ${e ? `${e}의 ` : ''}${a.kind === 'volume' ? '트래픽' : a.kind === 'errors' ? '에러율' : '지연 시간'} 이상: ${fmtValue(a.value, a.unit)}(평소 ${fmtValue(a.baseline, a.unit)}, 점수 ${round(a.score)}).`,
    anomalyShort: (a: AnomalyFigures, e: string) =>
      `${e ? `${e}의 ` : ''}${a.kind === 'volume' ? '트래픽' : a.kind === 'errors' ? '에러' : '지연 시간'} 이상`,
    at: (when: string) => ` (${when})`,
    monitorFix: '엔드포인트별 5xx 비율과 p95에 알림을 걸어 다음 장애 때 바로 알 수 있게 하세요.',
    sameOnOthers: (n: number, resource: string, details: string) =>
      `${resource} 아래의 다른 엔드포인트 ${n}개도 마찬가지입니다: ${details}.`,
    latencyGroupCause: (n: number, resource: string) =>
      `${resource} 아래의 엔드포인트 ${n}개가 함께 느려졌고 나머지 API는 평소 지연 시간을 유지했습니다: 핸들러 하나나 전체 부하보다는 이들이 공유하는 것(테이블이나 데이터베이스, 하위 서비스, 잠금)이 원인일 가능성이 큽니다.`,
    errorGroupCause: (n: number, resource: string, statuses: string) =>
      `${resource} 아래의 엔드포인트 ${n}개가 함께 실패하고 있습니다(${statuses}): 이들이 공유하는 의존성(테이블이나 데이터베이스, 업스트림 서비스) 또는 해당 코드의 잘못된 배포가 원인일 수 있습니다.`,
    latencyDetail: (e: string, p95: string, factor: string) => `${e}(p95 ${p95}, ${factor}배)`,
    errorDetail: (e: string, r: string) => `${e}(5xx ${r})`,
    alsoTop: (other: string) => `, 그리고 ${other}`,
    alertsFiring: (n: number) => `지금 발생 중인 알림 ${n}건.`,
    alertFiring: (severity: string, rule: string, value: string, condition: string) =>
      `발생 중인 알림: [${severity}] ${rule}: ${value} (${condition}).`,
  },
} as const;

function fmtValue(value: number, unit: string | null): string {
  if (unit === 'ms') return ms(value);
  if (unit === '%') return pct(value);
  return `${round(value)}${unit ? ` ${unit}` : ''}`;
}

/** The anomaly on this endpoint and kind that explains a finding, if the analyses found one. */
function matchingAnomaly(stats: WindowStatistics, endpoint: string | null, kind: AnomalyFigures['kind']): AnomalyFigures | undefined {
  return stats.anomalies.filter((a) => a.endpoint === endpoint && a.kind === kind).sort((a, b) => b.score - a.score)[0];
}

function statusesOf(stats: WindowStatistics, e: EndpointFigures, cls: 4 | 5): number[] {
  return stats.statuses
    .filter((s) => Math.floor(s.status / 100) === cls && s.topEndpoints.some((t) => t.startsWith(`${e.endpoint} (`)))
    .map((s) => s.status);
}

function endpointFindings(stats: WindowStatistics, e: EndpointFigures, t: (typeof T)[Language], trafficRising: boolean): Finding[] {
  const out: Finding[] = [];
  const tz = stats.timeZone;
  const base = e.baseline && e.baseline.requests >= MIN_BASELINE_REQUESTS ? e.baseline : null;

  // 5xx: a rate clearly above 5 % even allowing for small numbers.
  const serverRate = e.requests > 0 ? e.errors5xx / e.requests : 0;
  if (e.errors5xx >= MIN_SERVER_ERRORS && wilsonLowerBound(e.errors5xx, e.requests) >= MIN_ERROR_RATE) {
    // Chronic unless the rate is clearly above what the endpoint already had (lower bound of
    // the window's rate vs 1.5× the baseline rate): 14 failures in 32 requests on a route that
    // failed 25 % of the time before is no new incident.
    const baseRate = base ? base.serverErrorRatePct / 100 : null;
    const chronic = baseRate !== null && wilsonLowerBound(e.errors5xx, e.requests) < Math.max(baseRate * 1.5, baseRate + 0.05);
    const statuses = statusesOf(stats, e, 5);
    const evidence = [
      ...ev(`${e.endpoint} 5xx rate`, e.serverErrorRatePct, '%'),
      ...ev(`${e.endpoint} 5xx errors`, e.errors5xx, null),
      ...ev(`${e.endpoint} requests`, e.requests, 'requests'),
      ...(base ? ev(`${e.endpoint} 5xx rate, previous hour`, base.serverErrorRatePct, '%') : []),
    ];
    if (chronic && base) {
      out.push({
        kind: 'chronicErrors',
        endpoint: e.endpoint,
        severity: 'ok',
        score: e.errors5xx * 0.5,
        problem: t.chronicErrors(e.endpoint, pct(e.serverErrorRatePct), pct(base.serverErrorRatePct)),
        cause: null,
        improvement: t.chronicErrorsFix(e.endpoint),
        evidence,
      });
    } else {
      const anomaly = matchingAnomaly(stats, e.endpoint, 'errors');
      const statusText = statuses.length ? statuses.join(', ') : '5xx';
      const proxy = statuses.length > 0 && statuses.every((s) => s === 502 || s === 503 || s === 504);
      out.push({
        kind: 'errorBurst',
        endpoint: e.endpoint,
        severity: serverRate >= 0.25 ? 'critical' : 'warning',
        score: e.errors5xx * 10,
        problem: t.errorBurst(
          e.endpoint,
          pct(e.serverErrorRatePct),
          count(e.errors5xx),
          base ? pct(base.serverErrorRatePct) : null,
          anomaly ? t.at(span(anomaly.from, anomaly.to, tz)) : '',
        ),
        cause: proxy ? t.gatewayCause(e.endpoint, statusText) : t.errorCause(e.endpoint, statusText),
        improvement: t.errorFix(e.endpoint, e.route),
        detail: t.errorDetail(e.endpoint, pct(e.serverErrorRatePct)),
        resource: resourceOf(e),
        evidence: [...evidence, ...(anomaly ? ev(`${e.endpoint} error-rate anomaly score`, anomaly.score, 'σ') : [])],
      });
    }
  }

  // Latency against the endpoint's own previous hour, or in absolute terms when it has none.
  if (e.requests >= MIN_SLOW_REQUESTS && e.p95Ms != null) {
    const baseP95 = base?.p95Ms ?? null;
    const evidence = [
      ...ev(`${e.endpoint} p95`, e.p95Ms, 'ms'),
      ...ev(`${e.endpoint} p99`, e.p99Ms, 'ms'),
      ...ev(`${e.endpoint} requests`, e.requests, 'requests'),
    ];
    if (baseP95 != null && baseP95 > 0 && e.p95Ms >= baseP95 * REGRESSION_FACTOR && e.p95Ms - baseP95 >= REGRESSION_MIN_DELTA_MS) {
      const factor = e.p95Ms / baseP95;
      const anomaly = matchingAnomaly(stats, e.endpoint, 'latency');
      out.push({
        kind: 'latency',
        endpoint: e.endpoint,
        severity: factor >= 5 && e.p95Ms >= SLOW_P95_MS ? 'critical' : 'warning',
        score: e.requests * Math.log2(factor),
        problem: t.latency(
          e.endpoint,
          ms(e.p95Ms),
          ms(baseP95),
          String(round(factor)),
          anomaly ? t.at(span(anomaly.from, anomaly.to, tz)) : '',
        ),
        cause: trafficRising ? t.latencyLoadCause(e.endpoint) : t.latencyLocalCause(e.endpoint),
        improvement: t.latencyFix(e.endpoint, e.route),
        detail: t.latencyDetail(e.endpoint, ms(e.p95Ms), String(round(factor))),
        resource: trafficRising ? null : resourceOf(e),
        evidence: [
          ...evidence,
          ...ev(`${e.endpoint} p95, previous hour`, baseP95, 'ms'),
          ...ev(`${e.endpoint} p95 increase`, round(factor, 2), 'x'),
          ...(anomaly ? ev(`${e.endpoint} latency anomaly score`, anomaly.score, 'σ') : []),
        ],
      });
    } else if (e.p95Ms >= SLOW_P95_MS) {
      out.push({
        kind: 'chronicSlow',
        endpoint: e.endpoint,
        severity: 'ok',
        score: e.requests * 0.5,
        problem: t.chronicSlow(e.endpoint, ms(e.p95Ms), ms(e.avgMs)),
        cause: null,
        improvement: t.chronicSlowFix(e.endpoint, e.method === 'GET'),
        evidence: [...evidence, ...(baseP95 != null ? ev(`${e.endpoint} p95, previous hour`, baseP95, 'ms') : [])],
      });
    }
  }

  // A new wave of 4xx: at least 10, a clearly raised rate, and well above what it was before.
  const clientRate = e.requests > 0 ? e.errors4xx / e.requests : 0;
  const wasClientRate = base ? base.errors4xx / Math.max(1, base.requests) : null;
  if (
    e.errors4xx >= 10 &&
    wilsonLowerBound(e.errors4xx, e.requests) >= 0.2 &&
    wasClientRate !== null &&
    clientRate >= wasClientRate * 2 + 0.1
  ) {
    out.push({
      kind: 'clientErrors',
      endpoint: e.endpoint,
      severity: 'warning',
      score: e.errors4xx,
      problem: t.clientErrors(e.endpoint, pct(clientRate * 100), count(e.errors4xx), pct(wasClientRate * 100)),
      cause: t.clientErrorsCause(e.endpoint),
      improvement: t.clientErrorsFix(e.endpoint),
      evidence: [
        ...ev(`${e.endpoint} 4xx rate`, clientRate * 100, '%'),
        ...ev(`${e.endpoint} 4xx rate, previous hour`, wasClientRate * 100, '%'),
      ],
    });
  }
  return out;
}

function trafficFindings(stats: WindowStatistics, t: (typeof T)[Language]): Finding[] {
  const now = stats.totals;
  const before = stats.baselineTotals;
  if (!before || before.requestsPerMinute <= 0 || stats.baselineWindow.minutesCovered < MIN_BASELINE_MINUTES) return [];
  const factor = now.requestsPerMinute / before.requestsPerMinute;
  const evidence = [
    ...ev('requests per minute', now.requestsPerMinute, 'req/min'),
    ...ev('requests per minute, previous hour', before.requestsPerMinute, 'req/min'),
  ];
  if (factor >= SPIKE_FACTOR && now.requests >= 30) {
    return [
      {
        kind: 'trafficSpike',
        endpoint: null,
        severity: 'warning',
        score: now.requests - before.requestsPerMinute * stats.window.minutes,
        problem: t.spike(String(round(now.requestsPerMinute)), String(round(before.requestsPerMinute)), String(round(factor))),
        cause: t.spikeCause,
        improvement: t.spikeFix,
        evidence: [...evidence, ...ev('traffic increase', round(factor, 2), 'x')],
      },
    ];
  }
  if (factor <= DROP_FACTOR && before.requestsPerMinute >= 10) {
    return [
      {
        kind: 'trafficDrop',
        endpoint: null,
        severity: 'warning',
        score: before.requestsPerMinute * stats.window.minutes - now.requests,
        problem: t.drop(String(round(now.requestsPerMinute)), String(round(before.requestsPerMinute))),
        cause: t.dropCause,
        improvement: null,
        evidence,
      },
    ];
  }
  return [];
}

const COVERS: Record<AnomalyFigures['kind'], FindingKind[]> = {
  errors: ['errorBurst', 'chronicErrors'],
  latency: ['latency', 'chronicSlow'],
  volume: ['trafficSpike', 'trafficDrop'],
};

/** Anomalies the rules above did not already report (e.g. a spike on one endpoint). */
function anomalyFindings(stats: WindowStatistics, found: Finding[], t: (typeof T)[Language]): Finding[] {
  const out: Finding[] = [];
  for (const a of [...stats.anomalies].sort((x, y) => y.score - x.score)) {
    // An endpoint's anomaly is covered by a finding about that endpoint; an overall one by any
    // finding of its kind (five slow endpoints are why the overall p95 rose).
    const covered = [...found, ...out].some((f) =>
      a.endpoint === null
        ? COVERS[a.kind].includes(f.kind) || (f.kind === 'anomaly' && f.endpoint === null)
        : (f.endpoint === a.endpoint || f.members?.includes(a.endpoint)) && (COVERS[a.kind].includes(f.kind) || f.kind === 'anomaly'),
    );
    if (covered) continue;
    const e = a.endpoint ?? '';
    out.push({
      kind: 'anomaly',
      endpoint: a.endpoint,
      severity: 'warning',
      score: a.score,
      problem: t.anomaly(a, e, span(a.from, a.to, stats.timeZone)),
      cause: null,
      improvement: null,
      evidence: [
        ...ev(`${e || 'overall'} ${a.kind}`, a.value, a.unit),
        ...ev(`${e || 'overall'} ${a.kind}, usual`, a.baseline, a.unit),
        ...ev(`${e || 'overall'} ${a.kind} anomaly score`, a.score, 'σ'),
      ],
    });
  }
  return out;
}

/**
 * Bottlenecks on endpoints nothing else mentioned yet: a standing one (slow all along) is a
 * known issue, a change against the previous period a warning. Their texts are English, so a
 * Korean insight leaves them to the rules above.
 */
function bottleneckFindings(stats: WindowStatistics, found: Finding[], language: Language): Finding[] {
  if (language !== 'en') return [];
  return stats.bottlenecks
    .filter(
      (b: NotedFinding) =>
        !found.some(
          (f) => (f.endpoint === b.endpoint || f.members?.includes(b.endpoint ?? '')) && (f.kind === 'latency' || f.kind === 'chronicSlow'),
        ),
    )
    .map((b) => ({
      kind: 'bottleneck' as const,
      endpoint: b.endpoint,
      severity: b.standing ? ('ok' as const) : ('warning' as const),
      score: 1,
      problem: b.text,
      cause: null,
      improvement: null,
      evidence: b.evidence.slice(0, 4),
    }));
}

/** "/api/products" for /api/products and /api/products/:id: the part of a route before its first parameter, at most two segments. */
function resourceOf(e: EndpointFigures): string | null {
  const fixed: string[] = [];
  for (const segment of e.route.split('/').filter(Boolean)) {
    if (segment.startsWith(':') || fixed.length === 2) break;
    fixed.push(segment);
  }
  return fixed.length ? `${e.service}\u0001/${fixed.join('/')}` : null;
}

const displayResource = (resource: string) => resource.split('\u0001')[1] ?? resource;

/**
 * One incident usually hits every endpoint of a resource at once (a slow products table slows
 * every /api/products route). Findings of the same kind on one resource become one finding,
 * led by the worst endpoint, with a cause that says what they share.
 */
function groupByResource(findings: Finding[], stats: WindowStatistics, t: (typeof T)[Language]): Finding[] {
  const groups = new Map<string, Finding[]>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (!f.resource || (f.kind !== 'latency' && f.kind !== 'errorBurst')) {
      out.push(f);
      continue;
    }
    const key = `${f.kind}\u0002${f.resource}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const members of groups.values()) {
    if (members.length === 1) {
      out.push(members[0]!);
      continue;
    }
    const [top, ...rest] = [...members].sort((a, b) => b.score - a.score);
    const resource = displayResource(top!.resource!);
    const n = members.length;
    const statuses = [
      ...new Set(
        stats.statuses
          .filter((s) => s.status >= 500 && members.some((m) => s.topEndpoints.some((x) => x.startsWith(`${m.endpoint} (`))))
          .map((s) => s.status),
      ),
    ];
    out.push({
      ...top!,
      severity: members.some((m) => m.severity === 'critical') ? 'critical' : 'warning',
      score: members.reduce((sum, m) => sum + m.score, 0),
      problem: `${top!.problem} ${t.sameOnOthers(rest.length, resource, rest.map((m) => m.detail ?? m.endpoint).join(', '))}`,
      cause:
        top!.kind === 'latency'
          ? t.latencyGroupCause(n, resource)
          : t.errorGroupCause(n, resource, statuses.length ? statuses.join(', ') : '5xx'),
      evidence: [...top!.evidence, ...rest.map((m) => m.evidence[0]).filter((e): e is Evidence => !!e)],
      members: members.map((m) => m.endpoint).filter((e): e is string => !!e),
    });
  }
  return out;
}

/** Evidence of every finding, round-robin (first items first), so each finding keeps its key numbers. */
function interleaveEvidence(findings: Finding[], overall: Evidence[], max: number): Evidence[] {
  const out: Evidence[] = [];
  const seen = new Set<string>();
  const lists = findings.map((f) => f.evidence);
  for (let i = 0; out.length < max && lists.some((l) => i < l.length); i += 1) {
    for (const list of lists) {
      const e = list[i];
      if (e && !seen.has(e.label) && out.length < max) {
        seen.add(e.label);
        out.push(e);
      }
    }
  }
  for (const e of overall) if (out.length < max && !seen.has(e.label)) out.push(e);
  return out;
}


function shortOf(f: Finding, t: (typeof T)[Language], stats: WindowStatistics): string {
  const e = stats.endpoints.find((x) => x.endpoint === f.endpoint);
  switch (f.kind) {
    case 'errorBurst':
      return t.errorBurstShort(f.endpoint ?? '', pct(e?.serverErrorRatePct ?? 0));
    case 'chronicErrors':
      return t.chronicErrorsShort(f.endpoint ?? '');
    case 'latency':
      return t.latencyShort(f.endpoint ?? '', ms(e?.p95Ms));
    case 'chronicSlow':
      return t.chronicSlowShort(f.endpoint ?? '', ms(e?.p95Ms));
    case 'clientErrors':
      return t.clientErrorsShort(f.endpoint ?? '');
    case 'trafficSpike':
      return t.spikeShort(String(round(stats.totals.requestsPerMinute / Math.max(1e-9, stats.baselineTotals?.requestsPerMinute ?? 1))));
    case 'trafficDrop':
      return t.dropShort;
    case 'anomaly': {
      const a = stats.anomalies.find((x) => x.endpoint === f.endpoint);
      return a ? t.anomalyShort(a, f.endpoint ?? '') : f.problem;
    }
    case 'bottleneck':
      return f.problem;
  }
}

const unique = (items: (string | null)[]): string[] => [...new Set(items.filter((i): i is string => !!i))];

/** `windowName` names a window that does not end now ("14:03–14:08"); default "the last N minutes". */
/** The offline analyst's findings for a window; names from the logs come out without invisible characters. */
export function analyzeOffline(stats: WindowStatistics, language: Language = 'en', options: { windowName?: string } = {}): InsightFindings {
  return withoutInvisible(withFiringAlerts(findingsOf(stats, language, options), stats, T[language]));
}

const ALERT_LEVEL: Record<string, InsightLevel> = { critical: 'critical', warning: 'warning' };

/**
 * Alerts firing now lead the problems (the user set those rules up to hear about exactly this),
 * and raise the severity to theirs; the findings of the window follow.
 */
function withFiringAlerts(findings: InsightFindings, stats: WindowStatistics, t: (typeof T)[Language]): InsightFindings {
  const alerts = stats.firingAlerts;
  if (alerts.length === 0) return findings;
  const severity = alerts.reduce<InsightLevel>((s, a) => {
    const level = ALERT_LEVEL[a.severity] ?? 'ok';
    return insightLevelRank(level) > insightLevelRank(s) ? level : s;
  }, findings.severity);
  return {
    ...findings,
    summary: `${t.alertsFiring(alerts.length)} ${findings.summary}`,
    severity,
    problems: [...alerts.map((a) => t.alertFiring(a.severity.toUpperCase(), a.rule, a.value, a.condition)), ...findings.problems].slice(0, 10),
  };
}

function findingsOf(stats: WindowStatistics, language: Language, options: { windowName?: string }): InsightFindings {
  const t = T[language];
  const windowName = options.windowName ?? t.windowName(stats.window.minutes);
  const totals = stats.totals;
  const before = stats.baselineTotals;
  const overall = [
    ...ev('requests', totals.requests, 'requests'),
    ...ev('error rate', totals.errorRatePct, '%'),
    ...ev('5xx rate', totals.serverErrorRatePct, '%'),
    ...ev('p95 latency', totals.p95Ms, 'ms'),
  ];

  if (totals.requests === 0) {
    if (before && before.requests > 0) {
      return {
        summary: t.silence(windowName, String(round(before.requestsPerMinute))),
        severity: 'warning',
        worstEndpoint: null,
        problems: [t.silence(windowName, String(round(before.requestsPerMinute)))],
        causes: [t.silenceCause],
        improvements: [t.silenceFix],
        evidence: [...ev('requests', 0, 'requests'), ...ev('requests per minute, previous hour', before.requestsPerMinute, 'req/min')],
      };
    }
    return {
      summary: t.noTraffic(windowName),
      severity: 'ok',
      worstEndpoint: null,
      problems: [],
      causes: [],
      improvements: [],
      evidence: ev('requests', 0, 'requests'),
    };
  }

  const trafficRising = !!before && before.requestsPerMinute > 0 && totals.requestsPerMinute >= before.requestsPerMinute * 1.5;
  let findings: Finding[] = groupByResource(
    stats.endpoints.flatMap((e) => endpointFindings(stats, e, t, trafficRising)),
    stats,
    t,
  );
  findings.push(...trafficFindings(stats, t));
  findings.push(...anomalyFindings(stats, findings, t));
  findings.push(...bottleneckFindings(stats, findings, language));
  findings = findings.sort((a, b) => insightLevelRank(b.severity) - insightLevelRank(a.severity) || b.score - a.score);

  // The analytics' recommendations (English) add what the rules do not say (cache, paginate,
  // rate-limit), for endpoints the findings have not already given a next step.
  const recommended =
    language === 'en'
      ? stats.recommendations
          .filter(
            (r) => !findings.some((f) => f.improvement && r.endpoint && (f.endpoint === r.endpoint || f.members?.includes(r.endpoint))),
          )
          .map((r) => r.text)
      : [];
  if (findings.length === 0) {
    return {
      summary: t.allNormal(windowName, totals),
      severity: 'ok',
      worstEndpoint: null,
      problems: [],
      causes: [],
      improvements: unique(recommended).slice(0, 5),
      evidence: overall,
    };
  }
  const top = findings[0]!;
  const worst = findings.find((f) => f.endpoint)?.endpoint ?? null;
  const severity = findings.reduce<InsightLevel>((s, f) => (insightLevelRank(f.severity) > insightLevelRank(s) ? f.severity : s), 'ok');
  const improvements = unique([...findings.map((f) => f.improvement), ...recommended]);
  if (findings.some((f) => f.kind === 'errorBurst' || f.kind === 'latency')) improvements.push(t.monitorFix);
  if (top.severity === 'ok') {
    return {
      summary: t.onlyKnown(windowName, totals, findings.map((f) => shortOf(f, t, stats)).join('; ')),
      severity: 'ok',
      worstEndpoint: null,
      problems: findings.map((f) => f.problem).slice(0, 10),
      causes: unique(findings.map((f) => f.cause)).slice(0, 10),
      improvements: unique([...findings.map((f) => f.improvement), ...recommended]).slice(0, 10),
      evidence: interleaveEvidence(findings, overall, 24),
    };
  }
  const second = findings[1];
  const headline = shortOf(top, t, stats) + (second && second.severity === top.severity ? t.alsoTop(shortOf(second, t, stats)) : '');
  return {
    summary: t.someProblems(findings.length, windowName, headline, totals),
    severity,
    worstEndpoint: worst,
    problems: findings.map((f) => f.problem).slice(0, 10),
    causes: unique(findings.map((f) => f.cause)).slice(0, 10),
    improvements: improvements.slice(0, 10),
    evidence: interleaveEvidence(findings, overall, 24),
  };
}
