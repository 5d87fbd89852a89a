import { InvalidInputError, ModelOutputError } from '../domain/errors.ts';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { GatewayContext } from '../context.ts';
import { collectWindowStatistics } from './collect-statistics.ts';
import { insightResponseFormat, parseModelInsight, type InsightFindings } from './insight-format.ts';
import type { Language } from './language.ts';
import { analyzeOffline } from './offline-analyst.ts';
import { analysisSystemPrompt, analysisUserPrompt, invalidOutputPrompt } from './prompts.ts';
import { addUsage, NO_USAGE, ProviderUnavailableError, withRetry, type ModelProvider, type TokenUsage } from './provider.ts';
import { enforceRateLimit, withinTokenBudget } from './runtime.ts';
import { recordUsage, saveInsight, type StoredInsight } from '../storage/ai-store.ts';
import { newBoundary } from './untrusted.ts';
import type { WindowStatistics } from './window-statistics.ts';

export const OFFLINE_PROVIDER = 'offline';
export const OFFLINE_MODEL = 'logpulse-rules';
export const MODEL_PROVIDER = 'openai';

/** The model answered twice with something that is not a valid insight. */
class InvalidModelOutputError extends Error {}

/** Tokens spent so far by one operation, kept even when it ends in an error. */
export interface UsageMeter {
  usage: TokenUsage;
}

const MAX_ECHOED_OUTPUT = 4_000;

/**
 * Asks the model for an insight in the JSON schema; an invalid answer is sent back once with
 * the reason, then given up on.
 */
async function analyzeWithModel(
  provider: ModelProvider,
  stats: WindowStatistics,
  language: Language,
  meter: UsageMeter,
): Promise<InsightFindings> {
  const boundary = newBoundary();
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: analysisSystemPrompt(language, boundary) },
    { role: 'user', content: analysisUserPrompt(stats, boundary) },
  ];
  let problem = '';
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const completion = await withRetry(provider, (signal) =>
      provider.client.chat.completions.create({ model: provider.model, messages, response_format: insightResponseFormat }, { signal }),
    );
    meter.usage = addUsage(meter.usage, completion.usage);
    const message = completion.choices[0]?.message;
    const parsed = message?.refusal ? { ok: false as const, problem: 'the model refused to answer' } : parseModelInsight(message?.content);
    if (parsed.ok) return parsed.findings;
    problem = parsed.problem;
    messages.push(
      { role: 'assistant', content: (message?.content ?? '').slice(0, MAX_ECHOED_OUTPUT) },
      { role: 'user', content: invalidOutputPrompt(problem) },
    );
  }
  throw new InvalidModelOutputError(problem);
}

export interface AnalyzeInput {
  windowMinutes: number;
  service: string | null;
  language: Language;
}

/**
 * analyzeRecentLogs: statistics of the last `windowMinutes` → the model (when configured, within
 * the hourly token budget and reachable) or the offline analyst → stored insight.
 */
export async function analyzeRecentLogs(ctx: GatewayContext, input: AnalyzeInput): Promise<StoredInsight> {
  const max = ctx.config.ai.maxAnalyzeWindowMinutes;
  if (!Number.isInteger(input.windowMinutes) || input.windowMinutes < 1 || input.windowMinutes > max) {
    throw new InvalidInputError(`windowMinutes must be a whole number from 1 to ${max}`, 'windowMinutes');
  }
  if (input.service != null && (input.service.length === 0 || input.service.length > 200)) {
    throw new InvalidInputError('service must be 1 to 200 characters', 'service');
  }
  enforceRateLimit(ctx);
  const db = ctx.db;
  const started = performance.now();
  const now = ctx.clock.now();
  const range = { from: new Date(now - input.windowMinutes * 60_000), to: new Date(now) };
  const stats = await collectWindowStatistics(db.pool, { range, service: input.service, timeZone: ctx.config.timeZone, alertsNow: true });

  const provider = ctx.ai.provider;
  const meter: UsageMeter = { usage: NO_USAGE };
  let findings: InsightFindings | null = null;
  let notice: string | null = null;
  if (provider) {
    if (!(await withinTokenBudget(ctx))) {
      notice = 'The hourly AI token budget (AI_MAX_TOKENS_PER_HOUR) is used up; the offline analyst answered.';
    } else {
      let invalid: InvalidModelOutputError | null = null;
      try {
        findings = await analyzeWithModel(provider, stats, input.language, meter);
      } catch (error) {
        if (error instanceof ProviderUnavailableError) {
          notice = `${capitalise(error.message)}; the offline analyst answered.`;
          ctx.logger.warn({ reason: error.message }, 'ai: provider unavailable for analysis, using the offline analyst');
        } else if (error instanceof InvalidModelOutputError) {
          invalid = error;
        } else {
          throw error;
        }
      } finally {
        // Tokens count against the hourly cap whether or not the answer was usable.
        await recordUsage(db.prisma, 'analysis', provider.model, meter.usage);
      }
      if (invalid) {
        throw new ModelOutputError(
          `The AI model returned an invalid analysis twice (${invalid.message}). Try again, or configure another model.`,
        );
      }
    }
  }
  const byModel = findings !== null;
  return saveInsight(db.prisma, {
    ...(findings ?? analyzeOffline(stats, input.language)),
    windowMinutes: input.windowMinutes,
    service: input.service,
    rangeFrom: range.from,
    rangeTo: range.to,
    provider: byModel ? MODEL_PROVIDER : OFFLINE_PROVIDER,
    model: byModel && provider ? provider.model : OFFLINE_MODEL,
    notice,
    usage: meter.usage,
    durationMs: performance.now() - started,
  });
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
