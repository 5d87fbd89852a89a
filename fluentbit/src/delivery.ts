import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShipperLogger } from './logger.ts';

/** What Fluent Bit's http output does with an answer (plugins/out_http/http.c). */
export type Verdict = 'ok' | 'drop' | 'retry';

export function verdictFor(status: number): Verdict {
  if (status >= 200 && status <= 205) return 'ok';
  if (status >= 400 && status <= 499 && status !== 408 && status !== 429) return 'drop';
  return 'retry';
}

/**
 * Exponential backoff with jitter, like Fluent Bit's scheduler: a random delay between `base`
 * and `min(cap, base * 2^attempt)`.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.max(baseMs, Math.min(capMs, baseMs * 2 ** attempt));
  return Math.round(baseMs + random() * (ceiling - baseMs));
}

export interface DeliveryOptions {
  url: URL;
  token: string;
  retryBaseMs: number;
  retryCapMs: number;
  requestTimeoutMs: number;
  logger: ShipperLogger;
  signal: AbortSignal;
  /** Called before each retry, for statistics. */
  onRetry?: (reason: string) => void;
}

export type DeliveryOutcome = { kind: 'acked'; status: number } | { kind: 'dropped'; status: number } | { kind: 'aborted' };

type Answer = { status: number; body: string } | { error: Error };

/**
 * Sends one batch until the gateway takes it (2xx), refuses it for good (4xx but 408/429, which
 * Fluent Bit drops), or the shipper stops. Every attempt sends the same bytes.
 */
export async function deliver(body: Buffer, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { logger, signal } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { kind: 'aborted' };
    const answer = await post(body, options);
    if (signal.aborted) return { kind: 'aborted' };
    if ('status' in answer) {
      const verdict = verdictFor(answer.status);
      if (verdict === 'ok') return { kind: 'acked', status: answer.status };
      if (verdict === 'drop') {
        logger.error(
          `gateway answered ${answer.status}: batch DROPPED and not retried, as Fluent Bit does (${answer.body.slice(0, 200) || 'no message'})`,
        );
        return { kind: 'dropped', status: answer.status };
      }
    }
    const reason = 'status' in answer ? `HTTP ${answer.status}` : answer.error.message;
    const delay = backoffDelay(attempt, options.retryBaseMs, options.retryCapMs);
    logger.warn(`delivery failed (${reason}); retry ${attempt} in ${delay} ms`);
    options.onRetry?.(reason);
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return { kind: 'aborted' };
    }
  }
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** One POST with Fluent Bit's headers for `format json_lines` + `compress gzip`. */
function post(body: Buffer, options: DeliveryOptions): Promise<Answer> {
  const { url, token, signal } = options;
  const secure = url.protocol === 'https:';
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': 'application/x-ndjson',
    'Content-Encoding': 'gzip',
    'Content-Length': body.length,
    'User-Agent': 'Fluent-Bit',
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return new Promise((resolve) => {
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers,
      agent: secure ? agents.https : agents.http,
      timeout: options.requestTimeoutMs,
      signal,
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.requestTimeoutMs} ms`)));
    request.on('error', (error) => resolve({ error }));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        // Only the start of the answer is kept, for log messages.
        if (kept < 1024) chunks.push(chunk);
        kept += chunk.length;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8', 0, 1024) }));
      response.on('error', (error) => resolve({ error }));
      // After 'end' this is a no-op; without it, the answer was cut off.
      response.on('close', () => resolve({ error: new Error('connection closed before the answer ended') }));
    });
    request.end(body);
  });
}
