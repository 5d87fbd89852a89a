// Runs `prisma generate` without the native schema engine: generating the client does
// not need it, but the CLI tries to download it from a host that may be unreachable
// (offline CI, air-gapped machines). Any existing executable satisfies the check.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.platform === 'win32' ? process.execPath : '/bin/false';
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
