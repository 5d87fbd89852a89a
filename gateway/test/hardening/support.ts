import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, Agent, type Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { workspace } from '@logpulse/testkit/shipper-harness';
import { TEST_TOKEN } from '../support/gateway.ts';

export { waitFor } from '../live/support.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** A real gateway process: `node --import tsx gateway/src/main.ts` (node itself is the child, so SIGKILL hits it). */
export interface GatewayProcess {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGKILL: no shutdown code runs, open transactions are cut off mid-way. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (a no-op once it has exited). */
  stop(): Promise<void>;
}

export async function startGatewayProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      INGEST_TOKEN: TEST_TOKEN,
      LOG_LEVEL: 'info',
      DEMO_TRAFFIC: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-20_000));
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code ?? signal}) before listening:\n${output}`));
    });
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('gateway listening')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    child,
    output: () => output,
    async kill9() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident set size of a process, in MB (Linux /proc). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Samples a process's RSS every `intervalMs` until stopped; `peak` is the highest seen, in MB. */
export async function rssPeakSampler(pid: number, intervalMs: number): Promise<{ baseline: number; peak: number; stop(): void }> {
  const baseline = await rssMb(pid);
  const sampler = { baseline, peak: baseline, stop: () => clearInterval(timer) };
  const timer = setInterval(
    () =>
      void rssMb(pid).then(
        (mb) => (sampler.peak = Math.max(sampler.peak, mb)),
        () => undefined,
      ),
    intervalMs,
  );
  return sampler;
}


export interface HttpProxy {
  url: string;
  /** Requests sent to each upstream. */
  served: number[];
  /**
   * The next 200 answer is swallowed (the client's connection is cut instead): the gateway has
   * committed the batch but the shipper never hears of it. Resolves once that happened.
   */
  swallowNextSuccess(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An HTTP load balancer in miniature: each request goes to the next upstream in turn, whatever
 * connection it came on (a TCP-level proxy would pin a keep-alive shipper to one replica).
 */
export async function roundRobinProxy(upstreams: readonly string[]): Promise<HttpProxy> {
  const targets = upstreams.map((u) => new URL(u));
  const served = targets.map(() => 0);
  const agent = new Agent({ keepAlive: true });
  let next = 0;
  let swallow: (() => void) | undefined;
  const server: HttpServer = createHttpServer((req, res) => {
    const index = next++ % targets.length;
    const target = targets[index]!;
    served[index]!++;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        if (swallow && answer.statusCode === 200) {
          const done = swallow;
          swallow = undefined;
          answer.resume();
          req.socket.destroy();
          done();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    served,
    swallowNextSuccess: () => new Promise<void>((resolve) => (swallow = resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** One access-log line with a unique request id: the unit the "exactly once" checks count. */
export function accessLine(run: string, seq: number, service?: string): string {
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    method: seq % 5 === 0 ? 'POST' : 'GET',
    path: `/api/items/${seq % 97}`,
    status: seq % 50 === 0 ? 503 : 200,
    latency_ms: 1 + (seq % 300) / 7,
    user_agent: 'hardening-test',
    ip_address: '10.0.0.1',
    request_id: `${run}-${seq}`,
    ...(service ? { service } : {}),
  });
}

/**
 * Writes `total` log lines to a file in small appends spread over time, like a busy service,
 * while the shipper tails it. Resolves once everything is written.
 */
export async function writeLogStream(
  file: string,
  run: string,
  total: number,
  options: { perAppend?: number; pauseMs?: number; service?: string } = {},
): Promise<void> {
  const perAppend = options.perAppend ?? 100;
  for (let seq = 0; seq < total; seq += perAppend) {
    let text = '';
    for (let i = seq; i < Math.min(total, seq + perAppend); i++) text += `${accessLine(run, i, options.service)}\n`;
    await appendFile(file, text);
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 10));
  }
}

/** A temp dir with a log file and shipper state, and a shipper tuned for quick retries. */
export async function shipperWorkspace(): ReturnType<typeof workspace> {
  const ws = await workspace({
    token: TEST_TOKEN,
    batchMaxRecords: 250,
    retryBaseMs: 100,
    retryCapMs: 1_000,
    rotateWaitMs: 1_000,
    requestTimeoutMs: 10_000,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  await appendFile(ws.file, '');
  return ws;
}


/** Stored, distinct and expected counts of one run's records (by request_id prefix). */
export async function storedCounts(databaseUrl: string, run: string): Promise<{ stored: number; distinct: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ stored: number; distinct: number }>(
      `SELECT count(*)::int AS stored, count(DISTINCT request_id)::int AS distinct FROM logs WHERE request_id LIKE $1`,
      [`${run}-%`],
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

/** Prints a measured number so the last run's figures can be copied into RELIABILITY.md. */
export function report(what: string, numbers: Record<string, number | string>): void {
  console.info(`[reliability] ${what}: ${JSON.stringify(numbers)}`);
}
