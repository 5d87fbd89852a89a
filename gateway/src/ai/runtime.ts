import { GraphQLError } from 'graphql';
import type { GatewayConfig } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createModelProvider, type ModelProvider } from './provider.ts';
import { TokenBucketLimiter } from '../domain/rate-limit.ts';
import { tokensUsedSince } from './store.ts';

/** Per-gateway AI state: the provider client and the per-client limiter. */
export interface AiRuntime {
  provider: ModelProvider | undefined;
  /** AI mutations per client: a burst of the per-minute allowance, refilled evenly over the minute. */
  limiter: TokenBucketLimiter;
}

// Keyed by the gateway's config object: tests run several gateways in one process, and each
// must have its own limiter and provider.
const runtimes = new WeakMap<GatewayConfig, AiRuntime>();

export function aiRuntime(config: GatewayConfig): AiRuntime {
  let runtime = runtimes.get(config);
  if (!runtime) {
    runtime = {
      provider: createModelProvider(config),
      limiter: new TokenBucketLimiter(config.ai.ratePerMinute / 60, config.ai.ratePerMinute),
    };
    runtimes.set(config, runtime);
  }
  return runtime;
}

/** Throws RATE_LIMITED (HTTP 429) when this client has used its AI mutations for the minute. */
export function enforceRateLimit(ctx: GatewayContext): void {
  const verdict = aiRuntime(ctx.config).limiter.take(ctx.clientKey);
  if (!verdict.allowed) {
    const { retryAfterSeconds } = verdict;
    throw new GraphQLError(
      `Too many AI requests: at most ${ctx.config.ai.ratePerMinute} per minute per client. Retry in ${retryAfterSeconds} s.`,
      {
        extensions: {
          code: 'RATE_LIMITED',
          retryAfterSeconds,
          http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
        },
      },
    );
  }
}

/** False once the model tokens of the past hour reach AI_MAX_TOKENS_PER_HOUR (0 = never use the model). */
export async function withinTokenBudget(config: GatewayConfig, prisma: PrismaClient): Promise<boolean> {
  if (config.ai.tokensPerHour <= 0) return false;
  return (await tokensUsedSince(prisma, new Date(Date.now() - 3_600_000))) < config.ai.tokensPerHour;
}
