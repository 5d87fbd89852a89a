import type { Language } from './language.ts';
import { dataBlock, dataRule } from './untrusted.ts';
import type { WindowStatistics } from './window-statistics.ts';

/**
 * Every text the gateway sends to a model. Instructions live only in the system message; log
 * data only inside data blocks or tool results, labelled as such (see untrusted.ts).
 */

const LANGUAGE_NAME: Record<Language, string> = { en: 'English', ko: 'Korean (한국어)' };

export function analysisSystemPrompt(language: Language, boundary: string): string {
  return [
    'You are the log analyst of logpulse, an API monitoring tool. You receive statistics that logpulse computed over a recent',
    "window of the monitored API's HTTP access logs (never the raw logs): totals, a per-minute series, the endpoints that",
    'matter each beside its own baseline (the hour before the window), status codes, and anomalies, bottlenecks and',
    "recommendations found by logpulse's analyses.",
    'Find what needs attention (error bursts, latency regressions, traffic spikes or drops, chronic failures), give likely',
    'causes as hypotheses grounded in the numbers, and concrete improvements.',
    'Use only numbers that appear in the statistics and copy them exactly into `evidence` (ratios in percent).',
    '`worstEndpoint` is an endpoint exactly as written in the statistics ("METHOD /route"), or null when nothing stands out.',
    'Severity: "ok" when nothing needs attention, "warning" when something is degraded, "critical" when many users are failing now.',
    `Write every text field in ${LANGUAGE_NAME[language]}. Reply with one JSON object matching the response schema, nothing else.`,
    dataRule(boundary),
  ].join(' ');
}

/** The window statistics as plain JSON (dates as ISO text), for the data block. */
function statisticsPayload(stats: WindowStatistics): unknown {
  return {
    window: { from: stats.window.from, to: stats.window.to, minutes: stats.window.minutes, service: stats.service },
    baselineWindow: stats.baselineWindow,
    timeZone: stats.timeZone,
    totals: stats.totals,
    baselineTotals: stats.baselineTotals,
    perMinute: stats.perMinute,
    endpoints: stats.endpoints.map(({ service: _s, method: _m, route: _r, ...e }) => e),
    statuses: stats.statuses,
    anomalies: stats.anomalies,
    firingAlerts: stats.firingAlerts,
    bottlenecks: stats.bottlenecks,
    recommendations: stats.recommendations,
  };
}

export function analysisUserPrompt(stats: WindowStatistics, boundary: string): string {
  const scope = stats.service ? ` of service "${stats.service.replace(/[^\w.-]/g, '?')}"` : '';
  return [
    `Analyse the last ${stats.window.minutes} minutes${scope} (${stats.window.from.toISOString()} to ${stats.window.to.toISOString()}).`,
    dataBlock('window statistics', statisticsPayload(stats), boundary),
  ].join('\n');
}

export function invalidOutputPrompt(problem: string): string {
  return `Your previous reply was rejected: ${problem}. Reply again with only one JSON object that matches the response schema.`;
}

export function chatSystemPrompt(input: {
  language: Language;
  boundary: string;
  now: Date;
  timeZone: string;
  defaultMinutes: number;
  lookbackMinutes: number;
  maxToolCalls: number;
}): string {
  return [
    "You are the assistant of logpulse, an API monitoring tool, and answer questions about the monitored API's access logs:",
    'traffic, errors, latency, endpoints, clients and incidents.',
    'If a question is about anything else, refuse politely in one sentence and suggest a question about the logs instead.',
    "Take every number from the tools, which query logpulse's analytics; never invent or estimate a number, and if the tools",
    'cannot answer, say so.',
    `Now is ${input.now.toISOString()}; show times to the user in the ${input.timeZone} time zone.`,
    `The tools can look back at most ${input.lookbackMinutes} minutes; when the question names no period, use the last ${input.defaultMinutes} minutes.`,
    `You may call tools at most ${input.maxToolCalls} times for one answer.`,
    'Answer concisely: the direct answer first, then the key numbers (endpoint as "METHOD /route", latency in ms with p95, counts, rates in %).',
    `Answer in ${LANGUAGE_NAME[input.language]}, the language of the user's question.`,
    dataRule(input.boundary),
  ].join(' ');
}
