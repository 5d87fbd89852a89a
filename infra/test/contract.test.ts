// The AWS recipe runs docker-compose.yml on the servers: the ports the load balancers and
// firewalls use, and the env names the servers write, must be the ones the compose file and the
// contracts (DESIGN.md §3, the README configuration table) use.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_ENV, composeVariables, loadCompose, parsePort, repoRoot, resolveCompose, service } from '@logpulse/testkit/compose-file';
import { PORTS } from '../lib/logpulse-stack.ts';
import { type CfnTemplate, resources, synth, userData } from './synth.ts';

const compose = loadCompose();
const variables = composeVariables();

/** The .env a server writes: its settings block plus every `put NAME` from Secrets Manager. */
function serverEnv(script: string): Record<string, string> {
  const settings = /cat > \/opt\/logpulse\/settings\.env <<'ENV'\n([\s\S]*?)\nENV\n/.exec(script)?.[1] ?? '';
  const env: Record<string, string> = {};
  for (const line of settings.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  for (const m of script.matchAll(/^ {2}put ([A-Z][A-Z0-9_]*) /gm)) env[m[1]!] = `secret-${m[1]!.toLowerCase()}-0123456789`;
  return env;
}

function deployedServices(script: string): string[] {
  const m = /docker compose .* up -d --build --no-deps --remove-orphans (.+)$/m.exec(script);
  return m ? m[1]!.split(' ') : [];
}

function targetGroupPorts(json: CfnTemplate): Record<string, number> {
  return Object.fromEntries(
    resources(json, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id, g]) => [
      id.startsWith('Dashboard') ? 'dashboard' : 'ingest',
      g.Properties.Port as number,
    ]),
  );
}

describe.each([
  ['rds', synth({ database: 'rds' })],
  ['server', synth({ database: 'server' })],
] as const)('database=%s: the servers run docker-compose.yml as it is', (mode, { json }) => {
  const server1 = userData(json, 'Server1');
  const server2 = userData(json, 'Server2');
  const env1 = serverEnv(server1);
  const env2 = serverEnv(server2);

  it('each server provides every variable compose requires, and only names compose knows', () => {
    for (const [name, env] of [
      ['server 1', env1],
      ['server 2', env2],
    ] as const) {
      for (const required of variables.required) expect(Object.keys(env), `${name} lacks ${required}`).toContain(required);
      for (const provided of Object.keys(env)) expect([...variables.all], `${name} sets unknown ${provided}`).toContain(provided);
      expect(() => resolveCompose(env)).not.toThrow();
    }
  });

  it('deploys every compose service exactly once across the two servers', () => {
    const all = Object.entries(compose.services)
      .filter(([, s]) => !s.profiles)
      .map(([n]) => n);
    const expected = mode === 'rds' ? all.filter((n) => n !== 'postgres') : all;
    const deployed = [...deployedServices(server1), ...deployedServices(server2)];
    expect(deployed.sort()).toEqual(expected.sort());
    expect(deployedServices(server1).sort()).toEqual(['fluent-bit', 'target-server']);
  });

  it('load balancer target ports are the ports compose publishes on server 2, on all interfaces', () => {
    const resolved = resolveCompose(env2);
    const gateway = parsePort(service(resolved, 'gateway').ports![0]!);
    const web = parsePort(service(resolved, 'web').ports![0]!);
    expect(targetGroupPorts(json)).toEqual({ dashboard: web.hostPort, ingest: gateway.hostPort });
    expect(gateway).toEqual({ hostIp: '0.0.0.0', hostPort: PORTS.gateway, containerPort: 8000 });
    expect(web.hostIp).toBeUndefined();
    // The nginx image listens where compose points the web container port.
    const webDockerfile = readFileSync(join(repoRoot, 'web/Dockerfile'), 'utf8');
    expect(webDockerfile).toContain(`LOGPULSE_LISTEN=${web.containerPort}`);
  });

  it('Fluent Bit on server 1 posts over TLS to the ingest name the internal NLB answers', () => {
    const fb = service(resolveCompose(env1), 'fluent-bit').environment ?? {};
    const record = resources(json, 'AWS::Route53::RecordSet')
      .map(([, r]) => r.Properties.Name as string)
      .find((n) => n.startsWith('ingest.'));
    expect(`${fb.INGEST_HOST}.`).toBe(record);
    expect(Number(fb.INGEST_PORT)).toBe(PORTS.https);
    expect(fb.INGEST_TLS).toBe('on');
    // Both sides read the same secret.
    const ingestSecret = /put INGEST_TOKEN "\$\(secret '(<Ref:\w+>)'\)"/;
    expect(ingestSecret.exec(server1)?.[1]).toBe(ingestSecret.exec(server2)?.[1]);
  });

  it('secrets and settings reach the gateway under the contract env names', () => {
    const gatewayEnv = service(compose, 'gateway').environment ?? {};
    for (const name of Object.keys(env2)) {
      if (!(CONTRACT_ENV as readonly string[]).includes(name)) continue;
      expect(gatewayEnv[name], name).toMatch(new RegExp(`^\\$\\{${name}[:}]`));
    }
    const resolved = service(resolveCompose(env2), 'gateway').environment ?? {};
    expect(resolved.INGEST_TOKEN).toBe(env2.INGEST_TOKEN);
    expect(resolved.DASHBOARD_TOKEN).toBe(env2.DASHBOARD_TOKEN);
    if (mode === 'rds') expect(resolved.DATABASE_URL).toBe(env2.DATABASE_URL);
    else expect(resolved.DATABASE_URL).toBe(`postgresql://logpulse:${env2.POSTGRES_PASSWORD}@postgres:5432/logpulse`);
  });
});

describe('README configuration table', () => {
  const readme = join(repoRoot, 'README.md');
  it.skipIf(!existsSync(readme))('lists every env name the gateway container receives', () => {
    const text = readFileSync(readme, 'utf8');
    const gatewayEnv = Object.keys(service(compose, 'gateway').environment ?? {}).filter((n) => n !== 'NODE_ENV');
    for (const name of [...CONTRACT_ENV, ...gatewayEnv])
      expect(text, `README.md mentions ${name}`).toMatch(new RegExp(`\\|\\s*\`${name}\``));
  });
});

describe('infra/README.md', () => {
  it('documents every context value the stack reads', async () => {
    const { CONTEXT_KEYS } = await import('../lib/settings.ts');
    const text = readFileSync(join(repoRoot, 'infra/README.md'), 'utf8');
    for (const key of CONTEXT_KEYS) expect(text, key).toContain(`\`${key}\``);
  });
});
