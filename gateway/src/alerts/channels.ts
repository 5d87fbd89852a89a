import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { ChannelWithSecret } from '../storage/alerts.ts';
import { emailMessage, slackMessage, type WebhookPayload } from './payload.ts';

/** SMTP settings from the environment (SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURE, SMTP_FROM). */
export interface SmtpSettings {
  host: string | undefined;
  port: number;
  user: string | undefined;
  password: string | undefined;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  from: string;
}

export interface SendOptions {
  sendTimeoutMs: number;
  smtp: SmtpSettings;
}

/** A failed send; `status` is the receiver's HTTP status when it answered. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

const SIGNATURE_HEADER = 'x-logpulse-signature';
const TIMESTAMP_HEADER = 'x-logpulse-timestamp';

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: signing the timestamp with the body lets a
 * receiver reject replays of an old, validly signed request (README shows the check).
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Sends one notification; resolves with the HTTP status (null for email), throws SendError. */
export async function sendToChannel(channel: ChannelWithSecret, payload: WebhookPayload, options: SendOptions): Promise<number | null> {
  if (channel.kind === 'email') return sendEmail(channel, payload, options);
  const body = JSON.stringify(channel.kind === 'slack' ? slackMessage(payload) : payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'logpulse-alerts/1',
    'x-logpulse-event': payload.kind,
    'x-logpulse-delivery': payload.deliveryId,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (channel.secret) headers[SIGNATURE_HEADER] = signBody(channel.secret, timestamp, body);
  let response: Response;
  try {
    response = await fetch(channel.target, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(options.sendTimeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SendError(`request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`, null);
  }
  // The body is not needed; reading a little keeps the connection reusable.
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new SendError(`HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, response.status);
  return response.status;
}

async function sendEmail(channel: ChannelWithSecret, payload: WebhookPayload, options: SendOptions): Promise<null> {
  const smtp = options.smtp;
  if (!smtp.host) throw new SendError('SMTP_HOST is not set: email channels cannot send', null);
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: options.sendTimeoutMs,
    greetingTimeout: options.sendTimeoutMs,
    socketTimeout: options.sendTimeoutMs,
  });
  const { subject, text } = emailMessage(payload);
  try {
    await transport.sendMail({
      from: smtp.from,
      to: channel.target,
      subject,
      text,
      headers: { 'X-Logpulse-Delivery': payload.deliveryId, 'X-Logpulse-Event': payload.kind },
    });
    return null;
  } catch (error) {
    // nodemailer's messages name the server and the SMTP reply, never the password.
    throw new SendError(`SMTP: ${(error as Error).message}`, null);
  } finally {
    transport.close();
  }
}
