import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const WEB_DIST = join(ROOT, 'web', 'dist');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'gql' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Builds the dashboard (codegen + vite) unless web/dist is newer than everything it is built from. */
export function ensureWebBuild(): void {
  const built = existsSync(join(WEB_DIST, 'index.html')) ? statSync(join(WEB_DIST, 'index.html')).mtimeMs : 0;
  const sources = Math.max(
    newestMtime(join(ROOT, 'web', 'src')),
    newestMtime(join(ROOT, 'web', 'index.html')),
    newestMtime(join(ROOT, 'web', 'vite.config.ts')),
    newestMtime(join(ROOT, 'schema.graphql')),
    newestMtime(join(ROOT, 'codegen.ts')),
  );
  if (built > sources) return;
  const run = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (run.status !== 0) throw new Error(`npm run build -w web failed:\n${run.stdout}\n${run.stderr}`);
}
