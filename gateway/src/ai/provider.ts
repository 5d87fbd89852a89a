import OpenAI from 'openai';
import type { CompletionUsage } from 'openai/resources/completions';
import type { GatewayConfig } from '../config.ts';
import type { TokenUsage } from '../domain/ai-usage.ts';

/**
 * The configured model provider: any OpenAI-compatible server (OpenAI itself, Azure-style
 * gateways, Ollama, vLLM, LM Studio) reached through the official SDK. Undefined when neither
 * OPENAI_API_KEY nor OPENAI_BASE_URL is set: the offline analyst answers instead.
 */
export interface ModelProvider {
  client: OpenAI;
  model: string;
  /** The API key, kept only to scrub it from any error text a server might echo back. */
  secret: string;
  timeoutMs: number;
}

/** Token usage of one answer, summed over every request it took. */
export type { TokenUsage };

export const NO_USAGE: Readonly<TokenUsage> = Object.freeze({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

export function addUsage(a: TokenUsage, b: CompletionUsage | null | undefined): TokenUsage {
  if (!b) return a;
  return {
    promptTokens: a.promptTokens + (b.prompt_tokens ?? 0),
    completionTokens: a.completionTokens + (b.completion_tokens ?? 0),
    totalTokens: a.totalTokens + (b.total_tokens ?? (b.prompt_tokens ?? 0) + (b.completion_tokens ?? 0)),
  };
}

/** Local servers (Ollama, LM Studio) ignore the key but the SDK requires one. */
const PLACEHOLDER_KEY = 'not-needed';

export function createModelProvider(config: Pick<GatewayConfig, 'openai' | 'ai'>): ModelProvider | undefined {
  const { apiKey, baseUrl, model } = config.openai;
  if (!apiKey && !baseUrl) return undefined;
  const secret = apiKey ?? PLACEHOLDER_KEY;
  const client = new OpenAI({
    apiKey: secret,
    baseURL: baseUrl,
    timeout: config.ai.timeoutMs,
    // Retries are ours (`withRetry`): exactly one, with a bounded wait even when a server asks
    // for a long Retry-After.
    maxRetries: 0,
    logLevel: 'off',
  });
  return { client, model, secret, timeoutMs: config.ai.timeoutMs };
}

/** A provider failure described for people: no key, no raw server text. */
export class ProviderUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 4_000;

function retryable(error: unknown): boolean {
  if (error instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  if (error instanceof OpenAI.APIError) return error.status === 429 || (error.status ?? 0) >= 500 || error.status === 408;
  return false;
}

function retryDelayMs(error: unknown): number {
  const headers = error instanceof OpenAI.APIError ? error.headers : undefined;
  const ms = Number(headers?.get('retry-after-ms'));
  const seconds = Number(headers?.get('retry-after'));
  const asked = Number.isFinite(ms) && ms >= 0 ? ms : Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : NaN;
  const backoff = RETRY_BASE_MS * (0.75 + Math.random() * 0.5);
  return Math.min(Number.isNaN(asked) ? backoff : asked, RETRY_MAX_MS);
}

/** Turns an SDK error into a short description that never includes the key or the server's text. */
function describeProviderError(error: unknown): ProviderUnavailableError {
  if (error instanceof ProviderUnavailableError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new ProviderUnavailableError('the model provider timed out');
  if (error instanceof OpenAI.APIUserAbortError) return new ProviderUnavailableError('the model provider timed out');
  if (error instanceof OpenAI.APIConnectionError) return new ProviderUnavailableError('the model provider could not be reached');
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const what =
      status === 401 || status === 403
        ? 'rejected the API key'
        : status === 404
          ? 'does not know the configured model or endpoint'
          : status === 429
            ? 'is rate-limiting or out of quota'
            : (status ?? 0) >= 500
              ? 'failed'
              : 'rejected the request';
    return new ProviderUnavailableError(`the model provider ${what}${status ? ` (HTTP ${status})` : ''}`, status);
  }
  if (error instanceof Error && error.name === 'AbortError') return new ProviderUnavailableError('the model provider timed out');
  return new ProviderUnavailableError('the model provider returned an unusable response');
}

/**
 * Runs one provider request with a hard deadline (the SDK's timeout only covers the wait for
 * response headers; a stalled stream would otherwise hang), retrying once on 429, 5xx, 408,
 * timeouts and connection failures after a short backoff (honouring Retry-After up to 4 s).
 * Anything else, or a second failure, becomes a ProviderUnavailableError.
 */
export async function withRetry<T>(
  provider: ModelProvider,
  request: (signal: AbortSignal) => Promise<T>,
  /** False once a streamed answer has reached the user: retrying would repeat it. */
  mayRetry: () => boolean = () => true,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const signal = AbortSignal.timeout(provider.timeoutMs);
    try {
      return await request(signal);
    } catch (error) {
      if (attempt === 0 && mayRetry() && (retryable(error) || signal.aborted)) {
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(error)));
        continue;
      }
      throw describeProviderError(error);
    }
  }
}
