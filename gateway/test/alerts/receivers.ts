import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One request the webhook receiver accepted (signature checked). */
export interface Received {
  deliveryId: string;
  kind: string;
  body: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  /** Accepted notifications, in arrival order. */
  accepted: Received[];
  /** Every request, accepted or not (failed on purpose, bad signature). */
  requests: number;
  badSignatures: number;
  /** Answer the next `n` requests with 500 (a receiver that fails, then recovers). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver that checks signatures exactly as the README tells users to: HMAC-SHA256
 * of "<timestamp>.<body>" with the shared secret, a timestamp at most 5 minutes old.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const accepted: Received[] = [];
  let requests = 0;
  let badSignatures = 0;
  let failing = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-logpulse-timestamp'] ?? '');
      const signature = String(req.headers['x-logpulse-signature'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      const valid = fresh && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
      if (!valid) {
        badSignatures++;
        res.writeHead(401).end('bad signature');
        return;
      }
      if (failing > 0) {
        failing--;
        res.writeHead(500).end('receiver down');
        return;
      }
      const parsed = JSON.parse(body) as Record<string, unknown>;
      accepted.push({ deliveryId: String(req.headers['x-logpulse-delivery']), kind: String(parsed.kind), body: parsed });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    accepted,
    get requests() {
      return requests;
    },
    get badSignatures() {
      return badSignatures;
    },
    failNext(n) {
      failing = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (the smtp-server package) keeping every message it receives. */
export async function startSmtpServer(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'smtp-password-123') callback(null, { user: 'alerts' });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
