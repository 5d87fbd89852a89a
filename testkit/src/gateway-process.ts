import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '@logpulse/gateway/node-flags';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Which checkout's gateway to run: BENCH_GATEWAY_DIR compares another version (before/after a change) with the same harness. */
const GATEWAY_DIR = process.env.BENCH_GATEWAY_DIR ?? REPO_ROOT;
export const BENCH_TOKEN = 'bench-ingest-token-0123456789abcdef';

export interface GatewayProcess {
  url: string;
  pid: number;
  /** The last lines the gateway wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** PostgreSQL URL; omit for embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** A fixed port (e.g. to start a gateway again where a shipper posts); default a free one. */
  port?: number;
}

// Gateways this process started: stopped on any exit so a crashed benchmark leaves no orphans.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGTERM');
    process.exit(130);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts the real gateway as its own process, `node --import tsx gateway/src/main.ts`, so its
 * CPU and memory can be measured apart from the load generator. The node process is the direct
 * child (no tsx wrapper), so SIGTERM reaches it and it shuts down cleanly.
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    INGEST_TOKEN: BENCH_TOKEN,
    // The load generator reads /graphql without a dashboard login.
    ALLOW_ANONYMOUS_DASHBOARD: 'true',
    DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'warn',
    DEMO_TRAFFIC: '0',
    // Analyses datasets are kept between runs; the retention sweep must not thin them.
    RETENTION_DAYS: '3650',
    ROLLUP_RETENTION_DAYS: '3650',
    ...options.env,
  };
  if (!options.databaseUrl) delete env.DATABASE_URL;
  const child: ChildProcess = spawn(
    process.execPath,
    [...GATEWAY_NODE_FLAGS, ...(options.nodeArgs ?? []), '--import', 'tsx', 'gateway/src/main.ts'],
    {
      cwd: GATEWAY_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => {
    alive = false;
    running.delete(child);
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (!alive) throw new Error(`gateway exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`gateway not ready after ${options.readyTimeoutMs ?? 120_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (!alive) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
