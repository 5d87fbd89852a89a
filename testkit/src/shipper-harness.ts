import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShipper, type Shipper, type ShipperLogger, type ShipperOptions } from '@logpulse/fluentbit';

/** A logger that remembers what it was told, so tests can wait for and check messages. */
export function recordingLogger() {
  const messages: { level: 'info' | 'warn' | 'error'; message: string }[] = [];
  const logger: ShipperLogger = {
    info: (message) => messages.push({ level: 'info', message }),
    warn: (message) => messages.push({ level: 'warn', message }),
    error: (message) => messages.push({ level: 'error', message }),
  };
  return { logger, messages, said: (text: string) => messages.some((m) => m.message.includes(text)) };
}

/** One access-log line as the target server writes it; `seq` makes each line unique. */
export function accessLine(seq: number, extra: Record<string, unknown> = {}): string {
  const timestamp = new Date(Date.UTC(2026, 10, 25, 10, 0, 0) + seq * 1000).toISOString();
  return JSON.stringify({ timestamp, path: `/api/users/${seq}`, method: 'GET', status: 200, latency_ms: 12.5, user_agent: 'vitest', ip_address: '10.0.0.7', seq, ...extra });
}

export async function appendLines(file: string, seqs: readonly number[]): Promise<void> {
  await appendFile(file, seqs.map((seq) => `${accessLine(seq)}\n`).join(''));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * A temp directory with a log path and a state dir, and shippers that are stopped afterwards.
 * Shippers get short intervals so tests run fast; `defaults` adjusts them for a suite (the
 * gateway's hardening tests use its token, bigger batches and slower retries).
 */
export async function workspace(defaults: Partial<ShipperOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'logpulse-shipper-'));
  const shippers: Shipper[] = [];
  return {
    dir,
    file: join(dir, 'access.log'),
    stateDir: join(dir, 'state'),
    /** A shipper with short intervals so tests run fast. */
    start(options: Partial<ShipperOptions> & Pick<ShipperOptions, 'url'>) {
      const shipper = startShipper({
        file: join(dir, 'access.log'),
        stateDir: join(dir, 'state'),
        token: 'test-token',
        flushIntervalMs: 50,
        retryBaseMs: 20,
        retryCapMs: 80,
        rotateWaitMs: 150,
        logger: recordingLogger().logger,
        ...defaults,
        ...options,
      });
      shippers.push(shipper);
      return shipper;
    },
    async cleanup() {
      await Promise.all(shippers.map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
