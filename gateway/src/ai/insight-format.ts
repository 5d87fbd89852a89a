import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { InsightFindings } from '../domain/insight-findings.ts';
import { INSIGHT_LEVELS } from '../domain/severity.ts';

export type { InsightFindings };

/**
 * What the model must answer. No length limits in the schema itself: strict structured outputs
 * reject some JSON Schema keywords on some servers, so bounds are applied after validation.
 */
const modelInsightSchema = z.object({
  summary: z.string().describe('Two or three sentences: what is going on in the window, with the key numbers.'),
  severity: z.enum(INSIGHT_LEVELS).describe('ok: nothing needs attention; warning: degraded; critical: users are failing now.'),
  worstEndpoint: z.string().nullable().describe('"METHOD /route" exactly as in the statistics, or null when no endpoint stands out.'),
  problems: z.array(z.string()).describe('Each problem with its endpoint and numbers.'),
  causes: z.array(z.string()).describe('Likely causes, as hypotheses grounded in the numbers.'),
  improvements: z.array(z.string()).describe('Concrete next steps.'),
  evidence: z
    .array(
      z.object({
        label: z.string().describe('What the number is, e.g. "GET /api/products p95".'),
        value: z.number().describe('The number, copied from the statistics (ratios in percent).'),
        unit: z.string().nullable().describe('"ms", "%", "requests", "req/min", "x", or null for a plain count.'),
      }),
    )
    .describe('The numbers the findings rest on, copied from the statistics.'),
});

export const insightResponseFormat = zodResponseFormat(modelInsightSchema, 'log_insight');

const MAX_ITEMS = 10;
const MAX_TEXT = 600;
const MAX_EVIDENCE = 20;

const clip = (text: string, max = MAX_TEXT) => {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
const clipList = (items: string[]) =>
  items
    .map((i) => clip(i))
    .filter(Boolean)
    .slice(0, MAX_ITEMS);

export type InsightParseResult = { ok: true; findings: InsightFindings } | { ok: false; problem: string };

/**
 * Validates the model's raw text against the insight schema; a bad answer gives a short,
 * printable reason (used for the retry and, on a second failure, in the GraphQL error).
 */
export function parseModelInsight(content: string | null | undefined): InsightParseResult {
  if (!content) return { ok: false, problem: 'the model returned no content' };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the model output is not valid JSON' };
  }
  const parsed = modelInsightSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      problem: `the model output does not match the schema (${first?.path.join('.') || 'root'}: ${first?.message ?? 'invalid'})`,
    };
  }
  const f = parsed.data;
  if (!f.summary.trim()) return { ok: false, problem: 'the model output has an empty summary' };
  return {
    ok: true,
    findings: {
      summary: clip(f.summary, 2000),
      severity: f.severity,
      worstEndpoint: f.worstEndpoint?.trim() ? clip(f.worstEndpoint, 300) : null,
      problems: clipList(f.problems),
      causes: clipList(f.causes),
      improvements: clipList(f.improvements),
      evidence: f.evidence
        .filter((e) => Number.isFinite(e.value))
        .slice(0, MAX_EVIDENCE)
        .map((e) => ({ label: clip(e.label, 200), value: e.value, unit: e.unit?.trim() ? clip(e.unit, 20) : null })),
    },
  };
}
