// Runs the web container's nginx configuration (deploy/nginx) with the machine's nginx, as an
// unprivileged child process on loopback: the same files, rendered the way the nginx image's
// entrypoint renders them, with writable paths under a temporary prefix.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@logpulse/testkit/compose-file';

const TEMPLATE = join(repoRoot, 'deploy/nginx/templates/logpulse.conf.template');
const MAIN_CONF = join(repoRoot, 'deploy/nginx/nginx.conf');

/** The nginx binary on this machine, or undefined (CI installs Debian's nginx). */
export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/**
 * envsubst as the nginx image runs it with NGINX_ENVSUBST_FILTER=^LOGPULSE_: only the listed
 * LOGPULSE_* names are replaced; anything else (nginx's own $variables) is left alone.
 */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  const rendered = template.replace(/\$\{(LOGPULSE_[A-Z_]+)\}|\$(LOGPULSE_[A-Z_]+)/g, (all, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    return vars[name] ?? all;
  });
  const left = /\$\{?LOGPULSE_[A-Z_]+/.exec(rendered);
  if (left) throw new Error(`nginx template variable without a value: ${left[0]}`);
  return rendered;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RunningNginx {
  url: string;
  port: number;
  webRoot: string;
  /** Everything nginx wrote to stdout/stderr (access and error log). */
  output(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** host:port of the gateway. */
  gateway: string;
  ingestAllow?: string;
  /** Files of a stand-in dashboard build, by path relative to the web root. */
  webFiles?: Record<string, string>;
}

async function waitForNginx(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${url}/nginx-health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer on ${url} within 30 s:\n${output()}`);
}

/** Starts nginx in front of `gateway` on a free loopback port. */
export async function startNginx(nginx: string, options: NginxOptions): Promise<RunningNginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'logpulse-nginx-'));
  const conf = join(prefix, 'conf');
  const webRoot = join(prefix, 'html');
  await mkdir(join(conf, 'conf.d'), { recursive: true });
  await mkdir(webRoot, { recursive: true });
  await copyFile(MAIN_CONF, join(conf, 'nginx.conf'));
  if (existsSync('/etc/nginx/mime.types')) await copyFile('/etc/nginx/mime.types', join(conf, 'mime.types'));
  else await writeFile(join(conf, 'mime.types'), 'types { text/html html; text/css css; application/javascript js; }\n');
  for (const [path, content] of Object.entries(options.webFiles ?? {})) {
    await mkdir(join(webRoot, path, '..'), { recursive: true });
    await writeFile(join(webRoot, path), content);
  }
  // Workers of an nginx started by root run as `nobody`: they must be able to read the build.
  await chmod(prefix, 0o755);
  const template = await readFile(TEMPLATE, 'utf8');

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(
      join(conf, 'conf.d', 'logpulse.conf'),
      renderTemplate(template, {
        LOGPULSE_LISTEN: `127.0.0.1:${port}`,
        LOGPULSE_WEB_ROOT: webRoot,
        LOGPULSE_GATEWAY: options.gateway,
        LOGPULSE_RESOLVER: '127.0.0.1',
        LOGPULSE_INGEST_ALLOW: options.ingestAllow ?? 'all',
      }),
    );
    // A file, not a pipe: Node's pipes are sockets, which nginx cannot open() as /dev/stdout.
    const logFile = join(prefix, `output-${attempt}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(nginx, ['-p', `${prefix}/`, '-c', join(conf, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'], {
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForNginx(child, url, log);
    } catch (error) {
      child.kill('SIGKILL');
      // Another process took the port between the probe and nginx's bind: try another one.
      if (attempt < 3 && /Address already in use/.test(log())) continue;
      await rm(prefix, { recursive: true, force: true });
      throw error;
    }
    return {
      url,
      port,
      webRoot,
      output: log,
      async stop() {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          const exited = once(child, 'exit');
          const timeout = new Promise((r) => setTimeout(r, 10_000));
          await Promise.race([exited, timeout]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        await rm(prefix, { recursive: true, force: true });
      },
    };
  }
}
