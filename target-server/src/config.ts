import { fileURLToPath } from 'node:url';

/** target-server/logs/access.log, wherever the process was started from. */
export const DEFAULT_ACCESS_LOG = fileURLToPath(new URL('../logs/access.log', import.meta.url));

export interface TargetServerConfig {
  /** 0 picks a free port. */
  port: number;
  host: string;
  accessLog: string;
  service: string;
  /** Size at which access.log is rotated. */
  logMaxBytes: number;
  /** Rotated files kept (access.log.1 … access.log.N). */
  logFiles: number;
  /** Honour X-Fault-Status / X-Fault-Delay-Ms request headers (the traffic generator's incidents). */
  faultHeaders: boolean;
  /** Spend a realistic few milliseconds per request, so latencies look like a real service's. */
  simulateWork: boolean;
  /** Delay of GET /api/slow without ?ms=. */
  slowDefaultMs: number;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|k|kib|mb|m|mib|gb|g|gib)?$/i;
const SIZE_UNIT: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** "10MB", "512k", "1048576" → bytes (binary units). */
function parseSize(text: string, what: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new Error(`${what}: "${text}" is not a size (e.g. 10MB, 512KB, 1048576)`);
  return Math.floor(Number(match[1]) * (SIZE_UNIT[(match[2] ?? 'b').toLowerCase()] as number));
}

function parseInteger(text: string, what: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${what} must be an integer in [${min}, ${max}], got "${text}"`);
  return value;
}

function parseFlag(text: string, what: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new Error(`${what} must be 1/0 (or true/false), got "${text}"`);
}

/** Reads the target server's settings from the environment; anything unset keeps its default. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TargetServerConfig {
  return {
    port: env.TARGET_PORT ? parseInteger(env.TARGET_PORT, 'TARGET_PORT', 0, 65535) : 8081,
    host: env.TARGET_HOST || '0.0.0.0',
    accessLog: env.ACCESS_LOG || DEFAULT_ACCESS_LOG,
    service: env.SERVICE_NAME || 'target-server',
    logMaxBytes: env.ACCESS_LOG_MAX_SIZE ? parseSize(env.ACCESS_LOG_MAX_SIZE, 'ACCESS_LOG_MAX_SIZE') : 10 * 1024 * 1024,
    logFiles: env.ACCESS_LOG_FILES ? parseInteger(env.ACCESS_LOG_FILES, 'ACCESS_LOG_FILES', 1, 1000) : 5,
    faultHeaders: env.FAULT_HEADERS ? parseFlag(env.FAULT_HEADERS, 'FAULT_HEADERS') : true,
    simulateWork: env.SIMULATE_WORK ? parseFlag(env.SIMULATE_WORK, 'SIMULATE_WORK') : true,
    slowDefaultMs: env.SLOW_DEFAULT_MS ? parseInteger(env.SLOW_DEFAULT_MS, 'SLOW_DEFAULT_MS', 0, 60_000) : 2000,
  };
}
