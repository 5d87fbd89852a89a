// docker-compose.yml is the production recipe; Docker cannot run here, so it is held to the
// contracts (ports, env, volumes, health checks, images) by reading it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CONTRACT_ENV,
  TARGET_ENV,
  composeVariables,
  loadCompose,
  parsePort,
  repoRoot,
  resolveCompose,
  service,
} from '@logpulse/testkit/compose-file';

const compose = loadCompose();
const secrets = { INGEST_TOKEN: 'ingest-token-0123456789', POSTGRES_PASSWORD: 'pw0123456789abcdef' };
const resolved = resolveCompose(secrets);

function namedVolume(mount: string): { name: string; target: string; readOnly: boolean } {
  const [name, target, mode] = mount.split(':');
  return { name: name!, target: target!, readOnly: mode === 'ro' };
}

describe('docker-compose.yml services', () => {
  it('runs the whole platform, with Redis only in the scale-out profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['fluent-bit', 'gateway', 'postgres', 'redis', 'target-server', 'web'].sort());
    expect(service(compose, 'redis').profiles).toEqual(['scale-out']);
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name !== 'redis') expect(svc.profiles, name).toBeUndefined();
      expect(svc.restart, name).toBe('unless-stopped');
    }
  });

  it('keeps PostgreSQL data in a named volume and reports healthy through pg_isready', () => {
    const pg = service(compose, 'postgres');
    expect(pg.image).toMatch(/^postgres:1[67](\.|-|$)/);
    expect(pg.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('pgdata');
    expect(pg.healthcheck?.test.join(' ')).toMatch(/pg_isready -U logpulse -d logpulse/);
    expect(pg.ports).toBeUndefined();
  });

  it('builds the gateway from the repository root and wires every contract variable', () => {
    const gw = service(compose, 'gateway');
    expect(gw.build).toEqual({ context: '.', dockerfile: 'gateway/Dockerfile' });
    const env = gw.environment ?? {};
    const gatewayContract = CONTRACT_ENV.filter((n) => !(TARGET_ENV as readonly string[]).includes(n));
    expect(Object.keys(env).sort()).toEqual([...gatewayContract, 'NODE_ENV', 'TRUST_PROXY_HOPS', 'ALLOW_ANONYMOUS_DASHBOARD'].sort());
    expect(env.NODE_ENV).toBe('production');
    // nginx is one proxy hop in front: rate limits must see the client, not nginx.
    expect(env.TRUST_PROXY_HOPS).toBe('${TRUST_PROXY_HOPS:-1}');
    expect(env.PORT).toBe('8000');
    // The gateway refuses production without DASHBOARD_TOKEN unless this is set on purpose.
    expect(env.ALLOW_ANONYMOUS_DASHBOARD).toBe('${ALLOW_ANONYMOUS_DASHBOARD:-false}');
    expect(env.INGEST_TOKEN).toMatch(/^\$\{INGEST_TOKEN:\?.+\}$/);
    // Optional secrets come from the environment too, never a literal value.
    for (const name of ['DASHBOARD_TOKEN', 'OPENAI_API_KEY']) expect(env[name]).toBe(`\${${name}:-}`);
    expect(gw.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(gw.init).toBe(true);
  });

  it('points the gateway at the compose PostgreSQL unless DATABASE_URL is given', () => {
    const env = service(resolved, 'gateway').environment ?? {};
    expect(env.DATABASE_URL).toBe(`postgresql://logpulse:${secrets.POSTGRES_PASSWORD}@postgres:5432/logpulse`);
    expect(env.INGEST_TOKEN).toBe(secrets.INGEST_TOKEN);
    const rds = 'postgresql://app:x@db.example.internal:5432/logpulse?sslmode=verify-full';
    const withRds = resolveCompose({ ...secrets, DATABASE_URL: rds });
    expect(service(withRds, 'gateway').environment?.DATABASE_URL).toBe(rds);
  });

  it('refuses to start without the required secrets', () => {
    const { required } = composeVariables();
    expect([...required].sort()).toEqual(['INGEST_TOKEN', 'POSTGRES_PASSWORD']);
    expect(() => resolveCompose({ POSTGRES_PASSWORD: 'x' })).toThrow(/INGEST_TOKEN/);
    expect(() => resolveCompose({ INGEST_TOKEN: 'x' })).toThrow(/POSTGRES_PASSWORD/);
  });

  it('publishes the contract ports: gateway 8000 (loopback by default), target 8081, web 8080 inside', () => {
    const port = (name: string) => (service(resolved, name).ports ?? []).map(parsePort);
    expect(port('gateway')).toEqual([{ hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000 }]);
    expect(port('target-server')).toEqual([{ hostIp: '127.0.0.1', hostPort: 8081, containerPort: 8081 }]);
    expect(port('web')).toEqual([{ hostIp: undefined, hostPort: 80, containerPort: 8080 }]);
    const open = resolveCompose({ ...secrets, GATEWAY_BIND: '0.0.0.0', WEB_PORT: '8080' });
    expect(parsePort(service(open, 'gateway').ports![0]!)).toEqual({ hostIp: '0.0.0.0', hostPort: 8000, containerPort: 8000 });
    expect(parsePort(service(open, 'web').ports![0]!).hostPort).toBe(8080);
  });

  it('checks gateway health on /readyz at its port, and the others without polluting the logs', () => {
    const gw = service(compose, 'gateway').healthcheck?.test.join(' ') ?? '';
    expect(gw).toContain('http://127.0.0.1:8000/readyz');
    // A request to the target server would be logged and shipped as traffic: a TCP probe is not.
    const target = service(compose, 'target-server').healthcheck?.test.join(' ') ?? '';
    expect(target).toContain("connect(8081, '127.0.0.1')");
    expect(target).not.toMatch(/fetch|http:/);
    expect(service(compose, 'web').healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8080/nginx-health');
  });

  it('shares the access log from the target server with Fluent Bit, read-only on the Fluent Bit side', () => {
    const target = service(compose, 'target-server');
    expect(target.build).toEqual({ context: '.', dockerfile: 'target-server/Dockerfile' });
    expect(target.environment?.TARGET_PORT).toBe('8081');
    const written = (target.volumes ?? []).map(namedVolume).find((v) => v.name === 'target-logs');
    expect(written).toMatchObject({ target: '/app/target-server/logs', readOnly: false });

    const fb = service(compose, 'fluent-bit');
    expect(fb.image).toMatch(/^fluent\/fluent-bit:\d+\.\d+\.\d+$/);
    const mounts = (fb.volumes ?? []).map(namedVolume);
    expect(mounts).toContainEqual({ name: 'target-logs', target: '/logs', readOnly: true });
    expect(mounts).toContainEqual({ name: './fluentbit', target: '/fluent-bit/etc/logpulse', readOnly: true });
    expect(fb.environment?.INGEST_TOKEN).toMatch(/^\$\{INGEST_TOKEN:\?.+\}$/);
    expect(service(resolved, 'fluent-bit').environment).toMatchObject({ INGEST_HOST: 'gateway', INGEST_PORT: '8000' });
    for (const v of ['pgdata', 'gateway-data', 'target-logs', 'fluentbit-state']) expect(compose.volumes).toHaveProperty(v);
  });

  it('has Fluent Bit tail the very file the target server writes, through the shared volume', () => {
    const target = service(compose, 'target-server');
    const fb = service(compose, 'fluent-bit');
    const targetMount = (target.volumes ?? []).map(namedVolume).find((v) => v.name === 'target-logs')!;
    const fbMount = (fb.volumes ?? []).map(namedVolume).find((v) => v.name === 'target-logs')!;
    const written = target.environment?.ACCESS_LOG ?? '';
    const tailed = fb.environment?.ACCESS_LOG_PATH ?? '';
    expect(written.startsWith(`${targetMount.target}/`)).toBe(true);
    expect(tailed.startsWith(`${fbMount.target}/`)).toBe(true);
    expect(written.slice(targetMount.target.length)).toBe(tailed.slice(fbMount.target.length));
    const state = (fb.volumes ?? []).map(namedVolume).find((v) => v.name === 'fluentbit-state')!;
    expect(fb.environment?.FLUENT_BIT_STATE_DIR).toBe(state.target);
  });

  it('sets every variable fluentbit/fluent-bit.yaml reads, with the defaults fluent-bit.env documents', () => {
    const config = readFileSync(join(repoRoot, 'fluentbit/fluent-bit.yaml'), 'utf8');
    const used = new Set([...config.replace(/^\s*#.*$/gm, '').matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!));
    const env = service(compose, 'fluent-bit').environment ?? {};
    for (const name of used) expect(Object.keys(env), `fluent-bit.yaml reads \${${name}}`).toContain(name);
    const resolvedEnv = service(resolved, 'fluent-bit').environment ?? {};
    const defaultsFile = join(repoRoot, 'fluentbit/fluent-bit.env');
    for (const line of readFileSync(defaultsFile, 'utf8').split('\n')) {
      const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
      if (m) expect(resolvedEnv[m[1]!], `fluent-bit.env ${m[1]}`).toBe(m[2]);
    }
    const output = (parse(config) as { pipeline: { outputs: { uri?: string; header?: string }[] } }).pipeline.outputs[0]!;
    expect(output.uri?.startsWith('/log/ingest')).toBe(true);
    expect(output.header).toBe('Authorization Bearer ${INGEST_TOKEN}');
  });

  it('runs Fluent Bit on the repository config it mounts', () => {
    const fb = service(compose, 'fluent-bit');
    const configArg = fb.command?.[fb.command.indexOf('-c') + 1] ?? '';
    expect(configArg.startsWith('/fluent-bit/etc/logpulse/')).toBe(true);
    const local = join(repoRoot, 'fluentbit', configArg.slice('/fluent-bit/etc/logpulse/'.length));
    expect(existsSync(local), `${local} (mounted from ./fluentbit)`).toBe(true);
  });

  it('puts nginx (web) in front of a healthy gateway, addressed by its service name and port', () => {
    const web = service(compose, 'web');
    expect(web.build).toEqual({ context: '.', dockerfile: 'web/Dockerfile' });
    expect(web.environment?.LOGPULSE_GATEWAY).toBe('gateway:8000');
    expect(web.environment?.LOGPULSE_RESOLVER).toBe('127.0.0.11');
    expect(web.depends_on).toEqual({ gateway: { condition: 'service_healthy' } });
  });

  it('builds every image it names from a Dockerfile that exists', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      expect(svc.build.context, name).toBe('.');
      expect(existsSync(join(repoRoot, svc.build.dockerfile)), svc.build.dockerfile).toBe(true);
    }
  });
});
