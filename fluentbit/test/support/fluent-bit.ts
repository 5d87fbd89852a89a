// The real Fluent Bit binary (FLUENT_BIT_BIN) running fluentbit/fluent-bit.yaml, for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RotatingFile } from '@logpulse/target-server';
import { waitFor } from '@logpulse/testkit/wait-for';

export const FLUENT_BIT_DIR = join(import.meta.dirname, '..', '..');
const bin = process.env.FLUENT_BIT_BIN;

/** Why the real-binary tests cannot run here, or undefined when they can. */
export const fluentBitMissing: string | undefined = !bin
  ? 'FLUENT_BIT_BIN is not set (point it at a Fluent Bit 5.1.1 binary to run them)'
  : !existsSync(bin)
    ? `FLUENT_BIT_BIN=${bin} does not exist`
    : undefined;
if (fluentBitMissing) console.log(`skipping the real Fluent Bit tests: ${fluentBitMissing}`);

/** A TCP port nobody listens on right now (for Fluent Bit's health server). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface FluentBitOptions {
  /** The file fluent-bit.yaml tails (ACCESS_LOG_PATH). */
  logFile: string;
  /** FLUENT_BIT_STATE_DIR: the tail db and the chunk buffer, kept across restarts. */
  stateDir: string;
  /** The gateway's base URL, e.g. http://127.0.0.1:4321. */
  gatewayUrl: string;
  token?: string;
  /** Another config, e.g. a test fixture; default fluentbit/fluent-bit.yaml. */
  config?: string;
  env?: Record<string, string>;
}

export interface FluentBit {
  process: ChildProcess;
  healthPort: number;
  output: string[];
  /** Sends `signal` and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the real binary and waits until its health endpoint answers. */
export async function startFluentBit(options: FluentBitOptions): Promise<FluentBit> {
  const url = new URL(options.gatewayUrl);
  const healthPort = await freePort();
  const child = spawn(bin!, ['-c', options.config ?? join(FLUENT_BIT_DIR, 'fluent-bit.yaml')], {
    cwd: FLUENT_BIT_DIR,
    env: {
      ...process.env,
      ACCESS_LOG_PATH: options.logFile,
      INGEST_HOST: url.hostname,
      INGEST_PORT: url.port,
      INGEST_TLS: 'off',
      INGEST_TOKEN: options.token ?? '',
      FLUENT_BIT_STATE_DIR: options.stateDir,
      FLUENT_BIT_HTTP_PORT: String(healthPort),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const fb: FluentBit = {
    process: child,
    healthPort,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  try {
    await waitFor(
      'Fluent Bit health endpoint',
      async () => {
        if (child.exitCode !== null) throw new Error(`fluent-bit exited with ${child.exitCode}:\n${output.join('\n')}`);
        return (await fetch(`http://127.0.0.1:${healthPort}/api/v1/health`).catch(() => null))?.ok === true;
      },
      20_000,
    );
  } catch (error) {
    await fb.stop('SIGKILL');
    throw error;
  }
  return fb;
}

/**
 * The target server's own access log (RotatingFile: rename access.log → access.log.1 …) written
 * with lines that each carry a unique request_id, so a test compares the set stored with the set
 * written.
 */
export async function accessLogWorkspace(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), 'logpulse-fb-'));
  const file = join(dir, 'logs', 'access.log');
  // Tests rotate every ~150 ms; with few files kept, a rotated file would be deleted (and its inode
  // reused) within a second, before Fluent Bit's 1 s rescan can find a file whose creation it
  // missed. Real rotations delete a file hours after it was written, so keep every file here.
  const log = new RotatingFile({ file, maxBytes: 1024 * 1024 * 1024, keep: 50 });
  const written: string[] = [];
  return {
    dir,
    file,
    stateDir: join(dir, 'state'),
    written,
    /** `count` new lines, each with a unique request_id (remembered in `written`). */
    lines(count: number): string {
      let lines = '';
      for (let i = 0; i < count; i++) {
        const id = `${prefix}-${written.length}`;
        written.push(id);
        lines += `${JSON.stringify({
          timestamp: new Date().toISOString(),
          method: 'GET',
          path: `/api/users/${written.length}`,
          status: 200,
          latency_ms: 3.5,
          user_agent: 'fluent-bit-test',
          ip_address: '127.0.0.1',
          request_id: id,
        })}\n`;
      }
      return lines;
    },
    /** Appends `count` lines through the target server's writer (one write, as its response hook does). */
    write(count: number) {
      log.write(this.lines(count));
    },
    rotate: () => log.rotate(),
    async cleanup() {
      log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** request_id → how many rows carry it, for one service. */
export async function storedCounts(databaseUrl: string, service: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; n: number }>(
      'SELECT request_id AS id, count(*)::int AS n FROM logs WHERE service = $1 GROUP BY request_id',
      [service],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  } finally {
    await client.end();
  }
}

/** Lines written but not stored, and lines stored more than once. */
export function compareSets(written: readonly string[], stored: Map<string, number>) {
  const all = new Set(written);
  const missing = written.filter((id) => !stored.has(id));
  const twice = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
  const unexpected = [...stored.keys()].filter((id) => !all.has(id));
  return { missing, twice, unexpected };
}
