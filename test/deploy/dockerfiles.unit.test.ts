// The images cannot be built here (no Docker engine): their Dockerfiles are read and held to
// what the compose file and the contracts expect of them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@logpulse/testkit/compose-file';
import { GATEWAY_NODE_FLAGS } from '@logpulse/gateway/node-flags';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

function readStages(dockerfile: string): Stage[] {
  const text = readFileSync(join(repoRoot, dockerfile), 'utf8').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: m?.[1] ?? args, name: m?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

function copySources(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY' && !i.args.includes('--from='))
    .flatMap((i) => {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1);
    });
}

const images = [
  { dockerfile: 'gateway/Dockerfile', port: '8000', user: 'node' },
  { dockerfile: 'web/Dockerfile', port: '8080', user: 'nginx' },
];

describe.each(images)('$dockerfile', ({ dockerfile, port, user }) => {
  const stages = readStages(dockerfile);
  const final = stages.at(-1)!;
  const finalOps = (op: string) => final.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('is multi-stage: build tools stay out of the final image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.slice(0, -1).every((s) => s.name)).toBe(true);
  });

  it(`runs as the unprivileged ${user} user and exposes ${port}`, () => {
    expect(finalOps('USER')).toEqual([user]);
    expect(finalOps('EXPOSE')).toEqual([port]);
    expect(finalOps('HEALTHCHECK').join(' ')).toMatch(/127\.0\.0\.1/);
  });

  it('copies only files that exist in the repository', () => {
    for (const stage of stages) {
      for (const source of copySources(stage)) {
        expect(existsSync(join(repoRoot, source)), `${dockerfile}: COPY ${source}`).toBe(true);
      }
    }
  });

  it('installs with npm ci from the lockfile, every workspace manifest present', () => {
    const rootPkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
    const builders = stages.filter((s) => s.instructions.some((i) => i.op === 'RUN' && i.args.startsWith('npm ci')));
    expect(builders.length).toBeGreaterThan(0);
    for (const stage of builders) {
      const copied = copySources(stage);
      expect(copied).toContain('package-lock.json');
      for (const ws of rootPkg.workspaces) expect(copied, `${stage.name}: ${ws}/package.json`).toContain(`${ws}/package.json`);
    }
  });

  it('builds the dashboard with the web workspace build script', () => {
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args));
    expect(runs).toContain('npm run build -w web');
  });
});

describe('gateway/Dockerfile', () => {
  const stages = readStages('gateway/Dockerfile');
  const final = stages.at(-1)!;

  it('generates the Prisma client without downloading the schema engine', () => {
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args));
    expect(runs.some((r) => r.includes('--ignore-scripts'))).toBe(true);
    expect(runs).toContain('npm run prisma:generate');
  });

  it('starts the gateway through tsx in production, serving the web build', () => {
    const env = final.instructions
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toContain('NODE_ENV=production');
    expect(env).toContain('PORT=8000');
    expect(env).toContain('WEB_DIST=/app/web/dist');
    const cmd = JSON.parse(final.instructions.find((i) => i.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['node', ...GATEWAY_NODE_FLAGS, '--import', 'tsx', 'gateway/src/main.ts']);
    expect(final.instructions.some((i) => i.op === 'COPY' && i.args.includes('/app/web/dist'))).toBe(true);
  });
});

describe('web/Dockerfile', () => {
  const final = readStages('web/Dockerfile').at(-1)!;
  const env = final.instructions
    .filter((i) => i.op === 'ENV')
    .map((i) => i.args)
    .join(' ');

  it('renders the nginx template from LOGPULSE_* variables only, defaulting to the compose gateway', () => {
    expect(env).toContain('NGINX_ENVSUBST_FILTER=^LOGPULSE_');
    expect(env).toContain('LOGPULSE_GATEWAY=gateway:8000');
    expect(env).toContain('LOGPULSE_LISTEN=8080');
    const template = readFileSync(join(repoRoot, 'deploy/nginx/templates/logpulse.conf.template'), 'utf8');
    const used = new Set([...template.matchAll(/\$\{(LOGPULSE_[A-Z_]+)\}/g)].map((m) => m[1]));
    for (const name of used) expect(env, name).toContain(`${name}=`);
  });

  it('starts nginx in the foreground with writable paths under its cache directory', () => {
    const cmd = JSON.parse(final.instructions.find((i) => i.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['nginx', '-p', '/var/cache/nginx/', '-e', 'stderr', '-g', 'daemon off;']);
  });
});
