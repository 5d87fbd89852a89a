// `npm start` as a process manager runs it: one PID gets SIGTERM or SIGINT, and the whole platform
// (gateway, target server, shipper — the dev one or the real Fluent Bit) stops with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '@logpulse/gateway/test-support/databases';
import { waitFor } from '@logpulse/testkit/wait-for';
import { fluentBitMissing, freePort } from '@logpulse/fluentbit/test-support';

const ROOT = join(import.meta.dirname, '..');

/** Every process below `pid`, from /proc (children of children included). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may contain spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); // a zombie has exited
  } catch {
    return false;
  }
};

interface Started {
  npm: ChildProcess;
  output: string[];
  port: number;
  targetPort: number;
  dataDir: string;
  exited: Promise<number | null>;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** `npm start` on spare ports; on a test database unless `embedded` (the default mode: PGlite in DATA_DIR). */
async function npmStart(env: Record<string, string>, { embedded = false } = {}): Promise<Started> {
  const storage: TestStorage | undefined = embedded ? undefined : await createTestStorage('postgres');
  const dataDir = await mkdtemp(join(tmpdir(), 'logpulse-start-'));
  cleanups.push(async () => storage?.drop(), () => rm(dataDir, { recursive: true, force: true }));
  const [port, targetPort] = [await freePort(), await freePort()];
  // Its own process group, so a failed test can still remove everything it started.
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...withoutDatabaseUrl(process.env),
      ...(storage ? { DATABASE_URL: storage.databaseUrl } : {}),
      DATA_DIR: dataDir,
      PORT: String(port),
      TARGET_PORT: String(targetPort),
      ACCESS_LOG: join(dataDir, 'logs', 'access.log'),
      DEMO_TRAFFIC: '0',
      // An empty dashboard build (placeholder page): no build in the test.
      WEB_DIST: join(dataDir, 'web'),
      INGEST_TOKEN: 'start-test-token-0123456789',
      ...env,
    },
  });
  const output: string[] = [];
  for (const stream of [npm.stdout!, npm.stderr!]) stream.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n')));
  const exited = new Promise<number | null>((resolve) => {
    npm.once('exit', (code) => resolve(code));
    // npm not found on the PATH given: no 'exit' event would come.
    npm.once('error', (error) => {
      output.push(`spawn npm: ${error.message}`);
      resolve(-1);
    });
  });
  cleanups.push(async () => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return { npm, output, port, targetPort, dataDir, exited };
}

function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _unused, ...rest } = env;
  return rest;
}

async function untilRunning(started: Started, names: string[]) {
  await waitFor('the platform to be running', () => started.output.some((l) => l.includes('logpulse is running')), 90_000).catch(() => {
    throw new Error(`npm start did not come up:\n${started.output.join('\n')}`);
  });
  const tree = descendants(started.npm.pid!);
  const commands = tree.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
  for (const name of names)
    expect(
      commands.some((c) => c.includes(name)),
      `${name} among ${commands.join(' | ')}`,
    ).toBe(true);
  return tree;
}

async function expectAllStopped(started: Started, tree: number[]) {
  await waitFor(
    'npm start to exit',
    async () => (await Promise.race([started.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))])) === true,
    30_000,
  );
  expect(await started.exited).toBe(0);
  await waitFor('every process of the platform to exit', () => tree.every((pid) => !alive(pid)), 10_000).catch(() => {
    throw new Error(`still running: ${tree.filter(alive).join(', ')}`);
  });
  expect(
    await fetch(`http://127.0.0.1:${started.port}/healthz`).then(
      () => 'listening',
      () => 'closed',
    ),
  ).toBe('closed');
}

describe('npm start stops the whole platform on one signal', () => {
  it('SIGTERM to the npm process stops the gateway, target server and dev shipper', async () => {
    const started = await npmStart({});
    const tree = await untilRunning(started, ['gateway/src/main.ts', 'target-server/src/main.ts', 'fluentbit/src/cli.ts']);
    process.kill(started.npm.pid!, 'SIGTERM');
    await expectAllStopped(started, tree);
  });

  it('SIGINT to the npm process stops the default embedded (PGlite) platform too', async () => {
    const started = await npmStart({}, { embedded: true });
    const tree = await untilRunning(started, ['gateway/src/main.ts', 'target-server/src/main.ts', 'fluentbit/src/cli.ts']);
    expect(started.output.some((l) => l.includes('embedded PGlite'))).toBe(true);
    process.kill(started.npm.pid!, 'SIGINT');
    await expectAllStopped(started, tree);
  }, 180_000);

  it('LOG_SHIPPER=fluent-bit with no binary stops at once, naming FLUENT_BIT_BIN', async () => {
    const started = await npmStart({ LOG_SHIPPER: 'fluent-bit', FLUENT_BIT_BIN: '/nonexistent/fluent-bit' });
    expect(await started.exited).not.toBe(0);
    expect(started.output.join('\n')).toMatch(/FLUENT_BIT_BIN=\/nonexistent\/fluent-bit is not an executable file/);
  });

  it('LOG_SHIPPER=fluent-bit without FLUENT_BIT_BIN looks on PATH, and says how to fix it when it is not there', async () => {
    // A PATH with only what `npm start` itself needs (node, npm, sh), so no fluent-bit on it.
    const bin = await mkdtemp(join(tmpdir(), 'logpulse-path-'));
    cleanups.push(() => rm(bin, { recursive: true, force: true }));
    const onPath = (name: string) =>
      (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)).find((file) => existsSync(file)) ?? `/bin/${name}`;
    symlinkSync(process.execPath, join(bin, 'node'));
    for (const name of ['npm', 'sh']) symlinkSync(onPath(name), join(bin, name));
    const started = await npmStart({ LOG_SHIPPER: 'fluent-bit', FLUENT_BIT_BIN: '', PATH: bin });
    expect(await started.exited).not.toBe(0);
    expect(started.output.join('\n')).toMatch(/no fluent-bit on PATH; install Fluent Bit or set FLUENT_BIT_BIN=/);
  });

  it.skipIf(fluentBitMissing !== undefined)('LOG_SHIPPER=fluent-bit runs the real Fluent Bit: requests reach the dashboard API; SIGINT stops it all', async () => {
    const healthPort = await freePort();
    const started = await npmStart({ LOG_SHIPPER: 'fluent-bit', FLUENT_BIT_HTTP_PORT: String(healthPort) });
    const tree = await untilRunning(started, ['gateway/src/main.ts', 'target-server/src/main.ts', 'fluent-bit']);
    // Its health server on the port given (it may take a moment after the banner).
    await waitFor('Fluent Bit health', async () => (await fetch(`http://127.0.0.1:${healthPort}/api/v1/health`).catch(() => null))?.ok === true, 20_000);
    // Each request a unique path (the target server logs it with its own request_id too).
    const paths = Array.from({ length: 5 }, (_, i) => `/api/users/${i + 1}`);
    for (const path of paths) await fetch(`http://127.0.0.1:${started.targetPort}${path}`);
    const recent = async () => {
      const res = await fetch(`http://127.0.0.1:${started.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ recentLogs(first: 50) { edges { node { path service requestId } } } }' }),
      });
      const body = (await res.json()) as { data?: { recentLogs: { edges: { node: { path: string; service: string; requestId: string | null } }[] } } };
      return body.data?.recentLogs.edges.map((e) => e.node) ?? [];
    };
    await waitFor('the requests in recentLogs', async () => (await recent()).filter((n) => n.path.startsWith('/api/users/')).length >= 5, 30_000);
    // Room for a line sent twice to show up; then the set stored is the set sent, each once.
    await new Promise((r) => setTimeout(r, 1500));
    // The start script's own requests (e.g. /scenario) are logged too: only ours are compared.
    const stored = (await recent()).filter((n) => n.path.startsWith('/api/users/'));
    expect(stored.map((n) => n.path).sort()).toEqual([...paths].sort());
    expect(new Set(stored.map((n) => n.requestId)).size).toBe(5);
    expect(stored.every((n) => n.service === 'target-server')).toBe(true);
    // Its output is in the console with the others, and its state under DATA_DIR.
    expect(started.output.some((l) => l.includes('fluent-bit') && l.includes('│'))).toBe(true);
    expect(readdirSync(join(started.dataDir, 'fluent-bit'))).toContain('tail-access.db');
    process.kill(started.npm.pid!, 'SIGINT');
    await expectAllStopped(started, tree);
  });
});
