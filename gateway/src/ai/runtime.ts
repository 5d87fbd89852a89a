import type { GatewayConfig } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import { RateLimitedError } from '../domain/errors.ts';
import { TokenBucketLimiter } from '../domain/rate-limit.ts';
import { createModelProvider, type ModelProvider } from './provider.ts';
import { tokensUsedSince } from '../storage/ai-store.ts';

/** Per-gateway AI state, built once by app.ts: the provider client and the per-client limiter. */
export interface AiRuntime {
  provider: ModelProvider | undefined;
  /** AI mutations per client: a burst of the per-minute allowance, refilled evenly over the minute. */
  limiter: TokenBucketLimiter;
}

export function createAiRuntime(config: GatewayConfig): AiRuntime {
  return {
    provider: createModelProvider(config),
    limiter: new TokenBucketLimiter(config.ai.ratePerMinute / 60, config.ai.ratePerMinute),
  };
}

/** Throws RateLimitedError (HTTP 429) when this client has used its AI mutations for the minute. */
export function enforceRateLimit(ctx: GatewayContext): void {
  const verdict = ctx.ai.limiter.take(ctx.clientKey, ctx.clock.now());
  if (!verdict.allowed) {
    throw new RateLimitedError(
      `Too many AI requests: at most ${ctx.config.ai.ratePerMinute} per minute per client. Retry in ${verdict.retryAfterSeconds} s.`,
      verdict.retryAfterSeconds,
    );
  }
}

/** False once the model tokens of the past hour reach AI_MAX_TOKENS_PER_HOUR (0 = never use the model). */
export async function withinTokenBudget(ctx: GatewayContext): Promise<boolean> {
  if (ctx.config.ai.tokensPerHour <= 0) return false;
  return (await tokensUsedSince(ctx.db.prisma, new Date(ctx.clock.now() - 3_600_000))) < ctx.config.ai.tokensPerHour;
}
