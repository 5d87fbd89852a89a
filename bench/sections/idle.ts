import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT } from '@logpulse/testkit/gateway-process';
import { processCpuSeconds } from '../lib/proc.ts';

export interface IdleShipperResult {
  /** How long the shipper sat idle (file unchanged) while its CPU time was measured. */
  seconds: number;
  cpuSeconds: number;
  /** CPU seconds per idle hour, the figure issue 20 compares (34 s over 90 min before). */
  cpuSecondsPerHour: number;
  /** From appending one line after the idle period to the gateway stand-in receiving it. */
  pickupMs: number;
}

export interface IdleShipperOptions {
  seconds: number;
  log: (line: string) => void;
}

/** Which checkout's shipper to run: BENCH_SHIPPER_DIR compares another version with the same harness. */
const SHIPPER_DIR = process.env.BENCH_SHIPPER_DIR ?? REPO_ROOT;

/**
 * CPU an idle dev shipper costs (DESIGN.md §6: "~0"). Runs `fluentbit/src/cli.ts` as its own
 * process against a local HTTP server that acknowledges everything, lets it ship a few lines,
 * then measures its CPU time from /proc while the file does not change. One line appended at
 * the end shows it still wakes at once.
 */
export async function benchIdleShipper(options: IdleShipperOptions): Promise<IdleShipperResult> {
  const dir = await mkdtemp(join(tmpdir(), 'logpulse-bench-idle-'));
  const file = join(dir, 'access.log');
  let received = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received += gunzipSync(Buffer.concat(chunks)).toString().trimEnd().split('\n').length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":0,"duplicate":false}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const line = (seq: number) =>
    `${JSON.stringify({ timestamp: new Date().toISOString(), path: `/idle/${seq}`, method: 'GET', status: 200, latency_ms: 1, user_agent: 'bench', ip_address: '10.0.0.1' })}\n`;
  await appendFile(file, [1, 2, 3].map(line).join(''));
  const child = spawn(process.execPath, ['--import', 'tsx', join(SHIPPER_DIR, 'fluentbit/src/cli.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SHIPPER_FILE: file,
      INGEST_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/log/ingest`,
      INGEST_TOKEN: 'bench',
      DATA_DIR: dir,
    },
    stdio: 'ignore',
  });
  try {
    const until = (check: () => boolean, what: string, ms: number) => waitUntil(check, what, ms);
    await until(() => received >= 3, 'the shipper to deliver its first lines', 60_000);
    // Start-up (module loading, JIT) is not idle time.
    await sleep(3_000);
    const pid = child.pid!;
    const before = await processCpuSeconds(pid);
    const startedAt = performance.now();
    await sleep(options.seconds * 1000);
    const after = await processCpuSeconds(pid);
    const seconds = (performance.now() - startedAt) / 1000;
    if (before === null || after === null) throw new Error('the shipper exited during the idle period');
    const appendedAt = performance.now();
    await appendFile(file, line(4));
    await until(() => received >= 4, 'the shipper to deliver a line appended after the idle period', 30_000);
    const pickupMs = performance.now() - appendedAt;
    const cpuSeconds = after - before;
    const result = { seconds, cpuSeconds, cpuSecondsPerHour: (cpuSeconds / seconds) * 3600, pickupMs };
    options.log(
      `idle shipper: ${cpuSeconds.toFixed(2)} CPU s over ${seconds.toFixed(0)} s idle; a new line arrived after ${pickupMs.toFixed(0)} ms`,
    );
    return result;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitUntil(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
