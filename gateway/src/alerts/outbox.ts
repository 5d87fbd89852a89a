import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AlertEvent, AlertingObserver, AlertRule } from '../domain/alert.ts';
import type { Logger } from '../logger.ts';
import {
  claimDueDeliveries,
  getChannelForSending,
  markDeliveryFailed,
  markDeliverySent,
  type ChannelWithSecret,
} from '../storage/alerts.ts';
import { sendToChannel, SendError, type SmtpSettings } from './channels.ts';
import { formatValue } from './conditions.ts';
import { buildPayload } from './payload.ts';

export interface DispatchSettings {
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  sendTimeoutMs: number;
  publicUrl: string;
  smtp: SmtpSettings;
}

/** Deliveries sent at once per pass: bounded so one pass cannot open hundreds of sockets. */
const BATCH = 20;

/** Delay before retry `attempt` (1-based): base · 2^(attempt−1), capped, with ±20 % jitter so retries spread. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay * (0.8 + 0.4 * random()));
}

/**
 * Sends due outbox rows. A row is claimed (with a lease longer than a send can take) before it is
 * sent and marked sent right after, so concurrent dispatchers never send one row twice; only a
 * crash between the receiver's answer and that mark resends it, under the same delivery id.
 * Returns how many rows were processed.
 */
export async function dispatchDue(
  pool: pg.Pool,
  settings: DispatchSettings,
  logger: Logger,
  observer?: Pick<AlertingObserver, 'delivered'>,
): Promise<number> {
  const claimed = await claimDueDeliveries(pool, BATCH, settings.sendTimeoutMs * 3 + 5_000);
  await Promise.all(
    claimed.map(async (delivery) => {
      const channel = await getChannelForSending(pool, delivery.channelId);
      if (!channel) {
        observer?.delivered('unknown', 'failed');
        return markDeliveryFailed(pool, delivery.id, 'channel deleted', null, null);
      }
      const payload = buildPayload(delivery.event, delivery.rule, delivery.id, settings.publicUrl);
      try {
        const status = await sendToChannel(channel, payload, settings);
        await markDeliverySent(pool, delivery.id, status);
        observer?.delivered(channel.kind, 'sent');
      } catch (error) {
        const message = error instanceof SendError ? error.message : `unexpected: ${(error as Error).message}`;
        const status = error instanceof SendError ? error.status : null;
        const retry =
          delivery.attempts >= settings.maxAttempts ? null : retryDelayMs(delivery.attempts, settings.retryBaseMs, settings.retryMaxMs);
        await markDeliveryFailed(pool, delivery.id, message, status, retry);
        observer?.delivered(channel.kind, retry === null ? 'failed' : 'retrying');
        // Channel name only: targets may carry tokens in their URLs (Slack webhooks do).
        logger.warn(
          { delivery: delivery.id, channel: channel.name, attempt: delivery.attempts, err: message, retryInMs: retry },
          'alert notification failed',
        );
      }
    }),
  );
  return claimed.length;
}

/** The outcome of a test notification. */
export interface TestResult {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
}

/** Sends a sample notification to a channel at once (not through the outbox) and reports how it went. */
export async function sendTestNotification(
  channel: ChannelWithSecret,
  rule: AlertRule | null,
  settings: DispatchSettings,
): Promise<TestResult> {
  const now = new Date();
  const value = rule ? (rule.kind === 'no_data' ? 0 : rule.threshold * 1.5) : null;
  const event: AlertEvent = {
    id: 'test',
    ruleId: rule?.id ?? null,
    ruleName: rule?.name ?? 'logpulse test notification',
    kind: 'reminder',
    at: now,
    value,
    threshold: rule?.threshold ?? 0,
    severity: rule?.severity ?? 'info',
    labels: rule?.labels ?? {},
    summary: rule
      ? `[TEST] ${rule.name}: a sample notification (value ${formatValue(rule.kind, value)}); nothing is firing`
      : `[TEST] channel "${channel.name}" works: a sample notification from logpulse`,
    firingSince: null,
  };
  const payload = { ...buildPayload(event, rule, `test-${randomUUID()}`, settings.publicUrl), kind: 'test' };
  try {
    const status = await sendToChannel(channel, payload, settings);
    return { ok: true, responseStatus: status, error: null };
  } catch (error) {
    return { ok: false, responseStatus: error instanceof SendError ? error.status : null, error: (error as Error).message };
  }
}
