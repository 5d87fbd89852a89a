// `npm start`: the whole platform in one process tree with prefixed output —
// gateway (embedded PGlite unless DATABASE_URL), demo target server, the dev shipper (the
// stand-in for Fluent Bit; LOG_SHIPPER=fluent-bit runs the real one) and gentle demo traffic,
// with a one-off history backfill on first start. Ctrl-C, or SIGINT/SIGTERM to this process
// (what a process manager sends), stops everything.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { GATEWAY_NODE_FLAGS } from '@logpulse/gateway/node-flags';
import { demoBackfillOptions, demoRate } from '@logpulse/target-server/demo';
import { ensureDemoAlertRule } from '@logpulse/target-server/demo-alert-rule';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
const port = process.env.PORT ?? '8000';
const targetPort = process.env.TARGET_PORT ?? '8081';
const demoTraffic = process.env.DEMO_TRAFFIC !== '0';
const accessLog = resolve(root, process.env.ACCESS_LOG ?? 'target-server/logs/access.log');
// node --import tsx (not the tsx binary): a signal then reaches the real process, never an orphan.
const node = process.execPath;
const COLORS = { gateway: 36, target: 33, shipper: 35, 'fluent-bit': 35, traffic: 32, start: 37 } as const;
type Name = keyof typeof COLORS;

/** Which shipper tails the access log: the built-in dev shipper, or the real Fluent Bit. */
const logShipper = process.env.LOG_SHIPPER ?? 'dev';
if (logShipper !== 'dev' && logShipper !== 'fluent-bit') {
  console.error(`LOG_SHIPPER must be "dev" (the built-in shipper, default) or "fluent-bit", not "${logShipper}"`);
  process.exit(1);
}

/** FLUENT_BIT_BIN, else `fluent-bit` on PATH; exits with a message naming the variable when neither is there. */
function fluentBitBinary(): string {
  const explicit = process.env.FLUENT_BIT_BIN;
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'fluent-bit'));
  for (const candidate of explicit ? [explicit] : onPath) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable
    }
  }
  console.error(
    explicit
      ? `LOG_SHIPPER=fluent-bit: FLUENT_BIT_BIN=${explicit} is not an executable file`
      : 'LOG_SHIPPER=fluent-bit: no fluent-bit on PATH; install Fluent Bit or set FLUENT_BIT_BIN=/path/to/fluent-bit',
  );
  process.exit(1);
}
const fluentBit = logShipper === 'fluent-bit' ? fluentBitBinary() : undefined;

mkdirSync(dataDir, { recursive: true });

/** One dev token per data dir, so a restarted shipper and gateway still agree. */
function devIngestToken(): string {
  if (process.env.INGEST_TOKEN) return process.env.INGEST_TOKEN;
  const file = join(dataDir, 'dev-ingest-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `dev-${randomBytes(16).toString('hex')}`;
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

function say(name: Name, line: string): void {
  const tag = `\x1b[${COLORS[name]}m${name.padEnd(10)}\x1b[0m│`;
  process.stdout.write(`${tag} ${line}\n`);
}

/** Pino JSON lines become "level message key=value"; anything else is printed as is. */
function humanize(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, msg, time: _t, pid: _p, hostname: _h, name: _n, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const lvl =
      typeof level === 'number'
        ? (({ 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[level] ?? level)
        : level;
    const extras = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${lvl} ${msg ?? ''} ${extras}`.trimEnd();
  } catch {
    return line;
  }
}

const children = new Map<Name, ChildProcess>();
let stopping = false;

function run(name: Name, args: string[], env: Record<string, string> = {}): ChildProcess | undefined {
  return runCommand(name, node, ['--import', 'tsx', ...args], env);
}

function runCommand(name: Name, command: string, args: string[], env: Record<string, string> = {}, cwd = root): ChildProcess | undefined {
  // A signal that arrived while the platform was starting: start nothing more.
  if (stopping) return undefined;
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on('line', (l) => say(name, humanize(l)));
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      say('start', `${name} exited (${signal ?? code}); stopping the platform`);
      void stopAll(1);
    }
  });
  children.set(name, child);
  return child;
}

async function stopAll(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Shippers stop before the gateway so they can hand over what they hold.
  const order: Name[] = ['traffic', 'shipper', 'fluent-bit', 'target', 'gateway'];
  for (const name of order) {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await new Promise<void>((r) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        r();
      }, 8000);
      child.once('exit', () => {
        clearTimeout(timer);
        r();
      });
    });
  }
  process.exit(code);
}

async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stopping) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

function buildDashboardIfMissing(): void {
  const index = join(root, 'web', 'dist', 'index.html');
  const pkg = JSON.parse(readFileSync(join(root, 'web', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (existsSync(index) || !pkg.scripts?.build) return;
  say('start', 'building the dashboard (first start only)…');
  const result = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) say('start', 'dashboard build failed: the gateway will serve a placeholder page (GraphQL still works)');
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) say('start', `${signal}: stopping the platform`);
    void stopAll(0);
  });
}
// A process manager signals one PID. Through `npm start` that is npm, which passes the signal to
// the shell it ran this script with; a shell that did not exec this process dies of it, and this
// process is orphaned (re-parented) with the platform still running. Stop then too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && !stopping) {
    say('start', 'the process that started npm start is gone: stopping the platform');
    void stopAll(0);
  }
}, 500).unref();

const token = devIngestToken();
// WEB_DIST names a dashboard build to serve as it is (none there: a placeholder page); unset, the
// repository's own build, made on first start.
const webDist = process.env.WEB_DIST ? resolve(root, process.env.WEB_DIST) : join(root, 'web', 'dist');
if (!process.env.WEB_DIST) buildDashboardIfMissing();
const firstStart = !existsSync(accessLog) || statSync(accessLog).size === 0;

run('gateway', [...GATEWAY_NODE_FLAGS, 'gateway/src/main.ts'], { PORT: port, DATA_DIR: dataDir, INGEST_TOKEN: token, WEB_DIST: webDist });
if (!(await waitForReady(`http://127.0.0.1:${port}/readyz`, 120_000))) {
  say('start', 'gateway did not become ready; stopping');
  await stopAll(1);
}
await ensureDemoAlertRule(`http://127.0.0.1:${port}`, process.env.DASHBOARD_TOKEN).then(
  (outcome) =>
    outcome === 'created' &&
    say('start', 'created the example alert rule "Demo: high error rate" (start high-errors on the scenario page to see it fire)'),
  (error: Error) => say('start', `could not create the example alert rule: ${error.message}`),
);
// The target server's own demo mode stays off: this script runs the traffic and backfill itself.
run('target', ['target-server/src/main.ts'], { TARGET_PORT: targetPort, ACCESS_LOG: accessLog, DEMO_TRAFFIC: '0' });
await waitForReady(`http://127.0.0.1:${targetPort}/scenario`, 30_000);
if (demoTraffic && firstStart) {
  // The same rate and daily curve as the live traffic below, so history and now agree.
  const history = demoBackfillOptions(demoRate());
  say('start', `first start: backfilling ${history.window} of history at ${history.rate} req/s into the access log…`);
  const incidents = (history.incidents ?? []).flatMap((i) => ['--incident', String(i)]);
  spawnSync(
    node,
    [
      '--import',
      'tsx',
      'target-server/src/traffic/cli.ts',
      '--backfill',
      String(history.window),
      '--rate',
      String(history.rate),
      '--file',
      accessLog,
      ...incidents,
    ],
    { cwd: root, stdio: 'inherit' },
  );
}
if (fluentBit) {
  // The real Fluent Bit with the shipped config; its tail db and chunk buffer live in DATA_DIR.
  const stateDir = join(dataDir, 'fluent-bit');
  mkdirSync(stateDir, { recursive: true });
  const healthPort = process.env.FLUENT_BIT_HTTP_PORT ?? '2020';
  say('start', `Fluent Bit ${fluentBit} (health http://127.0.0.1:${healthPort}/api/v1/health, state in ${stateDir})`);
  runCommand(
    'fluent-bit',
    fluentBit,
    ['-c', join(root, 'fluentbit', 'fluent-bit.yaml')],
    {
      ACCESS_LOG_PATH: accessLog,
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: port,
      INGEST_TLS: 'off',
      INGEST_TOKEN: token,
      FLUENT_BIT_STATE_DIR: stateDir,
      FLUENT_BIT_HTTP_PORT: healthPort,
    },
    join(root, 'fluentbit'),
  );
} else {
  run('shipper', ['fluentbit/src/cli.ts'], {
    SHIPPER_FILE: accessLog,
    INGEST_URL: `http://127.0.0.1:${port}/log/ingest`,
    INGEST_TOKEN: token,
    DATA_DIR: dataDir,
  });
}
if (demoTraffic)
  run('traffic', ['target-server/src/traffic/cli.ts', '--rate', String(demoRate()), '--url', `http://127.0.0.1:${targetPort}`]);

say('start', '');
say('start', `logpulse is running (${process.env.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${join(dataDir, 'pglite')}`})`);
say('start', `  dashboard      http://localhost:${port}/`);
say('start', `  GraphiQL       http://localhost:${port}/graphql`);
say('start', `  alerts         http://localhost:${port}/alerts`);
say('start', `  target server  http://localhost:${targetPort}/  (scenario control page)`);
say('start', `  ingest token   stored in ${join(dataDir, 'dev-ingest-token')} (set INGEST_TOKEN to choose one)`);
say('start', 'Press Ctrl-C to stop everything.');
