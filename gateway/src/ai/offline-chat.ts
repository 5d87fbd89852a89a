import { zoneOffsetMinutes } from '../storage/time-bucket.ts';
import {
  alertsTool,
  endpointDetailTool,
  endpointUsageTool,
  slowEndpointsTool,
  statusEndpointTopTool,
  trafficTool,
  windowSummaryTool,
  type ToolContext,
} from './chat-tools.ts';
import { clock, count, ms, pct, span } from './format.ts';
import { describeCondition, formatValue } from '../alerts/conditions.ts';
import type { RuleStatus } from '../storage/alerts.ts';
import type { Language } from './language.ts';
import type { Citation } from '../storage/ai-store.ts';
import { withoutInvisible } from './untrusted.ts';
import { endpointLabel } from '../domain/endpoint.ts';

/**
 * The offline chat: answers the common questions (slowest endpoint, error rate now, what
 * happened at 14:05, top errors, busiest endpoint, one endpoint's figures, what is wrong)
 * from the same tools the model would call, in the user's language, with citations.
 */
export interface OfflineAnswer {
  answer: string;
  citations: Citation[];
}

type Intent = 'time' | 'endpoint' | 'alerts' | 'errorRate' | 'topErrors' | 'slowest' | 'busiest' | 'overview';

const INTENTS: [Exclude<Intent, 'time' | 'endpoint'>, RegExp][] = [
  ['alerts', /\b(alerts?|alerting|firing|fired|alarms?)\b|알림|알람|경보|발생\s*중/i],
  [
    'errorRate',
    /error rate|error ratio|errors? (right )?now|how many errors|failure rate|에러\s*율|에러율|오류\s*율|오류율|에러\s*비율|실패율|에러가\s*얼마|에러\s*몇/i,
  ],
  [
    'topErrors',
    /top errors?|most (common |frequent )?errors?|which errors|what errors|error codes?|status codes?|가장\s*많은\s*(에러|오류)|(에러|오류)\s*(종류|코드|top|순위)|주요\s*(에러|오류)|상태\s*코드/i,
  ],
  ['slowest', /slow|latenc|p9\d|response time|느리|느린|느려|지연|응답\s*시간|오래\s*걸/i],
  [
    'busiest',
    /busiest|busy|most (requests|traffic|called|used|popular|hit)|most-called|popular|traffic|호출이?\s*가장\s*많|가장\s*많이\s*(호출|요청|사용)|요청이?\s*가장\s*많|트래픽|인기/i,
  ],
];

/** "14:05", "2:05 pm", "14시 5분", "오후 2시 5분", "2시 반" → hours and minutes. */
export function parseClockTime(text: string): { hours: number; minutes: number } | null {
  const colon = /\b(\d{1,2}):(\d{2})\s*(am|pm)?/i.exec(text);
  const korean = /(오전|오후)?\s*(\d{1,2})\s*시\s*(?:(\d{1,2})\s*분|(반))?/.exec(text);
  let hours: number;
  let minutes: number;
  let meridiem: 'am' | 'pm' | null = null;
  if (colon) {
    hours = Number(colon[1]);
    minutes = Number(colon[2]);
    meridiem = (colon[3]?.toLowerCase() as 'am' | 'pm' | undefined) ?? null;
  } else if (korean) {
    hours = Number(korean[2]);
    minutes = korean[4] ? 30 : Number(korean[3] ?? 0);
    meridiem = korean[1] === '오후' ? 'pm' : korean[1] === '오전' ? 'am' : null;
  } else {
    return null;
  }
  if (meridiem === 'pm' && hours < 12) hours += 12;
  if (meridiem === 'am' && hours === 12) hours = 0;
  if (hours > 23 || minutes > 59) return null;
  return { hours, minutes };
}

/** The latest moment at or before `now` whose wall-clock time in `timeZone` is hours:minutes. */
export function latestClockTime(time: { hours: number; minutes: number }, now: number, timeZone: string): Date {
  const local = new Date(now + zoneOffsetMinutes(timeZone, new Date(now)) * 60_000);
  for (const dayBack of [0, 1]) {
    const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - dayBack, time.hours, time.minutes);
    const at = wall - zoneOffsetMinutes(timeZone, new Date(wall)) * 60_000;
    if (at <= now) return new Date(at);
  }
  return new Date(now);
}

/** A route mentioned in the question ("/api/users/42", "GET /api/products"). */
function mentionedPath(text: string): { method: string | null; path: string } | null {
  const match = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)?\s*(\/[\w\-./:{}]*)/i.exec(text);
  if (!match?.[2] || match[2] === '/') return null;
  return { method: match[1]?.toUpperCase() ?? null, path: match[2].replace(/[.?!,]+$/, '') };
}

/** Does a concrete path match a templated route ("/api/users/42" ~ "/api/users/:id")? */
function routeMatches(route: string, path: string): boolean {
  if (route === path) return true;
  const r = route.split('/');
  const p = path.split('?')[0]!.split('/');
  return r.length === p.length && r.every((seg, i) => seg === p[i] || seg.startsWith(':'));
}

export function detectIntent(message: string): Intent {
  if (parseClockTime(message)) return 'time';
  if (mentionedPath(message)) return 'endpoint';
  return INTENTS.find(([, pattern]) => pattern.test(message))?.[0] ?? 'overview';
}

const periodName = (minutes: number, language: Language) =>
  language === 'ko' ? `최근 ${minutes}분` : `the last ${minutes} minute${minutes === 1 ? '' : 's'}`;

/** The "now" of "error rate now": the last few minutes. */
const NOW_MINUTES = 5;

export async function answerOffline(message: string, language: Language, ctx: ToolContext): Promise<OfflineAnswer> {
  // Names from the logs (routes, services, user agents) come out without invisible characters.
  return withoutInvisible(await answerFor(message, language, ctx));
}

async function answerFor(message: string, language: Language, ctx: ToolContext): Promise<OfflineAnswer> {
  const ko = language === 'ko';
  const period = periodName(Math.min(ctx.defaultMinutes, ctx.lookbackMinutes), language);
  const intent = detectIntent(message);

  switch (intent) {
    case 'time': {
      const time = parseClockTime(message)!;
      const at = latestClockTime(time, ctx.now, ctx.timeZone);
      const label = clock(at, ctx.timeZone);
      if (at.getTime() < ctx.now - ctx.lookbackMinutes * 60_000) {
        return {
          answer: ko
            ? `${label}은(는) 제가 볼 수 있는 범위(최근 ${ctx.lookbackMinutes}분) 밖입니다. 대시보드에서 그 시간대를 선택해 보시거나 AI_CHAT_LOOKBACK_MINUTES를 늘려 주세요.`
            : `${label} is outside what I may look at (the last ${ctx.lookbackMinutes} minutes). Pick that time range on the dashboard, or raise AI_CHAT_LOOKBACK_MINUTES.`,
          citations: [],
        };
      }
      const from = new Date(at.getTime() - 2 * 60_000).toISOString();
      const to = new Date(Math.min(at.getTime() + 3 * 60_000, ctx.now)).toISOString();
      const outcome = await windowSummaryTool.call({ from, to }, ctx);
      const { findings, stats } = outcome.data;
      const window = span(outcome.range.from, outcome.range.to, ctx.timeZone);
      if (stats.totals.requests === 0) {
        return {
          answer: ko ? `${label} 전후(${window})에는 기록된 요청이 없습니다.` : `No requests were logged around ${label} (${window}).`,
          citations: [outcome.citation],
        };
      }
      const lines = findings.problems.slice(0, 3).map((p) => `- ${p}`);
      const head = ko ? `${label} 전후 상황입니다: ${findings.summary}` : `Around ${label}: ${findings.summary}`;
      return { answer: [head, ...lines].join('\n'), citations: [outcome.citation] };
    }

    case 'endpoint': {
      const mention = mentionedPath(message)!;
      const usage = await endpointUsageTool.call({ sort: 'count', limit: 20 }, ctx);
      const match = usage.data.find((e) => routeMatches(e.route, mention.path) && (!mention.method || e.method === mention.method));
      if (!match) {
        return {
          answer: ko
            ? `${period} 동안 ${mention.method ? `${mention.method} ` : ''}${mention.path}에 대한 요청이 없습니다.`
            : `There were no requests to ${mention.method ? `${mention.method} ` : ''}${mention.path} in ${period}.`,
          citations: [usage.citation],
        };
      }
      const detail = await endpointDetailTool.call({ route: match.route, method: match.method, service: match.service }, ctx);
      const d = detail.data;
      const name = endpointLabel(d);
      const statuses = d.statuses
        .filter((s) => s.status >= 400)
        .sort((a, b) => b.count - a.count)
        .slice(0, 3)
        .map((s) => `${s.status} ×${count(s.count)}`);
      const answer = ko
        ? `${period} 동안 ${name}: 요청 ${count(d.count)}건, 5xx ${pct(d.serverErrorRate * 100)}, 4xx ${pct(d.clientErrorRate * 100)}, p95 ${ms(d.latency.p95)}(p50 ${ms(d.latency.p50)}, p99 ${ms(d.latency.p99)}, 최대 ${ms(d.latency.max)}).${statuses.length ? ` 에러 상태 코드: ${statuses.join(', ')}.` : ''}`
        : `${name} in ${period}: ${count(d.count)} requests, 5xx ${pct(d.serverErrorRate * 100)}, 4xx ${pct(d.clientErrorRate * 100)}, p95 ${ms(d.latency.p95)} (p50 ${ms(d.latency.p50)}, p99 ${ms(d.latency.p99)}, max ${ms(d.latency.max)}).${statuses.length ? ` Error statuses: ${statuses.join(', ')}.` : ''}`;
      return { answer, citations: [detail.citation] };
    }

    case 'alerts':
      return answerAlerts(language, ctx);

    case 'errorRate': {
      const [now, longer] = await Promise.all([trafficTool.call({ minutes: NOW_MINUTES }, ctx), trafficTool.call({}, ctx)]);
      const rate = (t: typeof now.data.total, n: number) => (t.requests ? (n / t.requests) * 100 : 0);
      const n = now.data.total;
      const l = longer.data.total;
      const nowPeriod = periodName(NOW_MINUTES, language);
      if (n.requests === 0) {
        return {
          answer: ko
            ? `${nowPeriod} 동안 요청이 없어 에러율을 계산할 수 없습니다.`
            : `There were no requests in ${nowPeriod}, so there is no error rate to report.`,
          citations: [now.citation],
        };
      }
      const answer = ko
        ? `현재(${nowPeriod}) 에러율은 ${pct(rate(n, n.errors4xx + n.errors5xx))}입니다: 요청 ${count(n.requests)}건 중 5xx ${count(n.errors5xx)}건(${pct(rate(n, n.errors5xx))}), 4xx ${count(n.errors4xx)}건(${pct(rate(n, n.errors4xx))}). ${period} 전체로는 ${pct(rate(l, l.errors4xx + l.errors5xx))}(5xx ${pct(rate(l, l.errors5xx))})였습니다.`
        : `The error rate right now (${nowPeriod}) is ${pct(rate(n, n.errors4xx + n.errors5xx))}: of ${count(n.requests)} requests, ${count(n.errors5xx)} got 5xx (${pct(rate(n, n.errors5xx))}) and ${count(n.errors4xx)} got 4xx (${pct(rate(n, n.errors4xx))}). Over ${period} it was ${pct(rate(l, l.errors4xx + l.errors5xx))} (5xx ${pct(rate(l, l.errors5xx))}).`;
      return { answer, citations: [now.citation, longer.citation] };
    }

    case 'topErrors': {
      const top = await statusEndpointTopTool.call({ limit: 2 }, ctx);
      const errors = top.data
        .filter((s) => s.status >= 400)
        .sort((a, b) => b.count - a.count)
        .slice(0, 4);
      if (errors.length === 0) {
        return {
          answer: ko ? `${period} 동안 에러(4xx/5xx) 응답이 없었습니다.` : `No error responses (4xx/5xx) in ${period}.`,
          citations: [top.citation],
        };
      }
      const lines = errors.map((s) => {
        const from = s.endpoints.map((e) => `${endpointLabel(e)} ×${count(e.count)}`).join(', ');
        return ko
          ? `- ${s.status}: ${count(s.count)}건(전체 요청의 ${pct(s.share * 100)}), 주로 ${from}`
          : `- ${s.status}: ${count(s.count)} (${pct(s.share * 100)} of requests), mostly ${from}`;
      });
      return {
        answer: [ko ? `${period} 동안 가장 많은 에러:` : `Top errors in ${period}:`, ...lines].join('\n'),
        citations: [top.citation],
      };
    }

    case 'slowest': {
      const slow = await slowEndpointsTool.call({ limit: 3 }, ctx);
      const [first, ...rest] = slow.data;
      if (!first)
        return { answer: ko ? `${period} 동안 요청이 없습니다.` : `There were no requests in ${period}.`, citations: [slow.citation] };
      const others = rest.map((e) => `${endpointLabel(e)} (p95 ${ms(e.latency.p95)})`).join(', ');
      const answer = ko
        ? `${period} 동안 가장 느린 엔드포인트는 ${endpointLabel(first)}입니다: p95 ${ms(first.latency.p95)}(평균 ${ms(first.latency.avg)}, p99 ${ms(first.latency.p99)}, 요청 ${count(first.count)}건).${others ? ` 그다음은 ${others}입니다.` : ''}`
        : `The slowest endpoint in ${period} is ${endpointLabel(first)}: p95 ${ms(first.latency.p95)} (avg ${ms(first.latency.avg)}, p99 ${ms(first.latency.p99)}, ${count(first.count)} requests).${others ? ` Next: ${others}.` : ''}`;
      return { answer, citations: [slow.citation] };
    }

    case 'busiest': {
      const busy = await endpointUsageTool.call({ sort: 'count', limit: 3 }, ctx);
      const [first, ...rest] = busy.data;
      if (!first)
        return { answer: ko ? `${period} 동안 요청이 없습니다.` : `There were no requests in ${period}.`, citations: [busy.citation] };
      const others = rest.map((e) => `${endpointLabel(e)} (${count(e.count)})`).join(', ');
      const answer = ko
        ? `${period} 동안 가장 많이 호출된 엔드포인트는 ${endpointLabel(first)}입니다: 요청 ${count(first.count)}건(전체의 ${pct(first.share * 100)}), 에러율 ${pct(first.errorRate * 100)}, p95 ${ms(first.latency.p95)}.${others ? ` 그다음은 ${others}입니다.` : ''}`
        : `The busiest endpoint in ${period} is ${endpointLabel(first)}: ${count(first.count)} requests (${pct(first.share * 100)} of traffic), error rate ${pct(first.errorRate * 100)}, p95 ${ms(first.latency.p95)}.${others ? ` Next: ${others}.` : ''}`;
      return { answer, citations: [busy.citation] };
    }

    case 'overview': {
      const outcome = await windowSummaryTool.call({}, ctx);
      const { findings } = outcome.data;
      const lines = findings.problems.slice(0, 3).map((p) => `- ${p}`);
      return { answer: [findings.summary, ...lines].join('\n'), citations: [outcome.citation] };
    }
  }
}

/**
 * What is firing and why: each firing (then pending) rule with its value and condition, and for
 * the first few the evidence behind it from the rule's own scope and window: the endpoint
 * answering the errors, or the slowest endpoint.
 */
async function answerAlerts(language: Language, ctx: ToolContext): Promise<OfflineAnswer> {
  const ko = language === 'ko';
  const outcome = await alertsTool.call({ minutes: ctx.lookbackMinutes }, ctx);
  const { active, recent } = outcome.data;
  const citations: Citation[] = [outcome.citation];
  if (active.length === 0) {
    const last = recent[0];
    const tail = last
      ? ko
        ? ` 최근 변화: ${clock(last.at, ctx.timeZone)} ${last.summary}`
        : ` Latest transition: ${clock(last.at, ctx.timeZone)} ${last.summary}`
      : '';
    return { answer: (ko ? '지금 발생 중인 알림이 없습니다.' : 'Nothing is firing right now.') + tail, citations };
  }
  const firing = active.filter((a) => a.status.state === 'firing');
  const pending = active.filter((a) => a.status.state === 'pending');
  const head = ko
    ? `발생 중인 알림 ${firing.length}건${pending.length ? `, 대기 중 ${pending.length}건` : ''}:`
    : `${firing.length} alert${firing.length === 1 ? '' : 's'} firing${pending.length ? `, ${pending.length} pending` : ''}:`;
  const lines: string[] = [];
  for (const [i, a] of [...firing, ...pending].slice(0, 5).entries()) {
    const since = clock(a.status.firingSince ?? a.status.since, ctx.timeZone);
    const state =
      a.status.state === 'firing'
        ? ko
          ? `${since}부터 발생 중`
          : `firing since ${since}`
        : ko
          ? `${since}부터 대기 중`
          : `pending since ${since}`;
    lines.push(
      `- [${a.rule.severity.toUpperCase()}] ${a.rule.name}: ${formatValue(a.rule.kind, a.lastValue)} (${describeCondition(a.rule)}), ${state}`,
    );
    if (i < 3) {
      const why = await alertEvidence(a, language, ctx);
      if (why) {
        lines.push(`  ${why.text}`);
        citations.push(why.citation);
      }
    }
  }
  return { answer: [head, ...lines].join('\n'), citations };
}

async function alertEvidence(a: RuleStatus, language: Language, ctx: ToolContext): Promise<{ text: string; citation: Citation } | null> {
  const ko = language === 'ko';
  const scope = {
    minutes: Math.min(Math.ceil(a.rule.windowSeconds / 60), ctx.lookbackMinutes),
    service: a.rule.service,
    route: a.rule.route,
    method: a.rule.method,
  };
  if (a.rule.kind === 'error_rate' || a.rule.kind === 'server_error_rate') {
    const top = await statusEndpointTopTool.call({ ...scope, limit: 1 }, ctx);
    const floor = a.rule.kind === 'server_error_rate' ? 500 : 400;
    const worst = top.data.filter((s) => s.status >= floor).sort((x, y) => y.count - x.count)[0];
    const endpoint = worst?.endpoints[0];
    if (!worst || !endpoint) return null;
    return {
      text: ko
        ? `원인: ${worst.status} 응답 ${count(worst.count)}건, 주로 ${endpointLabel(endpoint)}(${count(endpoint.count)}건)`
        : `why: ${count(worst.count)} responses ${worst.status}, mostly from ${endpointLabel(endpoint)} (×${count(endpoint.count)})`,
      citation: top.citation,
    };
  }
  if (a.rule.kind === 'p95' || a.rule.kind === 'p99') {
    const slow = await slowEndpointsTool.call({ ...scope, limit: 1 }, ctx);
    const first = slow.data[0];
    if (!first) return null;
    return {
      text: ko
        ? `원인: 가장 느린 엔드포인트 ${endpointLabel(first)}, p95 ${ms(first.latency.p95)}, p99 ${ms(first.latency.p99)}`
        : `why: the slowest endpoint is ${endpointLabel(first)} (p95 ${ms(first.latency.p95)}, p99 ${ms(first.latency.p99)})`,
      citation: slow.citation,
    };
  }
  return null;
}
