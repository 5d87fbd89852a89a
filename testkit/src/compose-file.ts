// Reading docker-compose.yml the way Docker Compose does, for the tests that hold it (and the AWS
// recipe in infra/) to the contracts. Docker cannot run here, so these helpers cover what the
// tests need: the parsed model, `${...}` interpolation and the short port syntax.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const composePath = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
  profiles?: string[];
  init?: boolean;
  restart?: string;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

export function readComposeText(): string {
  return readFileSync(composePath, 'utf8');
}

export function loadCompose(text = readComposeText()): ComposeFile {
  return parse(text) as ComposeFile;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

const VARIABLE = /\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}/g;

/** Every string value of a parsed YAML tree (compose interpolates values, never comments or keys). */
function stringValues(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(stringValues);
  if (node && typeof node === 'object') return Object.values(node).flatMap(stringValues);
  return [];
}

/** Names of every variable the file interpolates, and which of them are required (`:?`). */
export function composeVariables(text = readComposeText()): { all: Set<string>; required: Set<string> } {
  const all = new Set<string>();
  const required = new Set<string>();
  const visit = (s: string): void => {
    for (const m of s.matchAll(VARIABLE)) {
      all.add(m[1]!);
      if (m[2] === ':?' || m[2] === '?') required.add(m[1]!);
      if (m[3]) visit(m[3]);
    }
  };
  for (const value of stringValues(parse(text))) visit(value);
  return { all, required };
}

/**
 * Compose's interpolation: `${X}`, `${X:-default}` (unset or empty), `${X-default}` (unset),
 * `${X:?message}` / `${X?message}` (error), nested defaults included.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(VARIABLE, (_all, name: string, op: string | undefined, arg: string | undefined) => {
    const v = env[name];
    const missing = op?.startsWith(':') ? v === undefined || v === '' : v === undefined;
    if (!missing) return v!;
    if (op === ':-' || op === '-') return interpolate(arg ?? '', env);
    if (op === ':?' || op === '?') throw new Error(`required variable ${name} is missing a value: ${arg ?? ''}`);
    return '';
  });
}

function interpolateTree(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => interpolateTree(n, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]));
  }
  return node;
}

/** Resolves the whole file against an environment, as `docker compose config` would. */
export function resolveCompose(env: Record<string, string | undefined>, text = readComposeText()): ComposeFile {
  return interpolateTree(parse(text), env) as ComposeFile;
}

export interface PortMapping {
  hostIp: string | undefined;
  hostPort: number;
  containerPort: number;
}

/** Short syntax `[HOST_IP:]HOST_PORT:CONTAINER_PORT` of an interpolated ports entry. */
export function parsePort(entry: string): PortMapping {
  const parts = entry.split(':');
  const containerPort = Number(parts.at(-1));
  const hostPort = Number(parts.at(-2));
  const hostIp = parts.length === 3 ? parts[0] : undefined;
  if (!Number.isInteger(containerPort) || !Number.isInteger(hostPort)) throw new Error(`unreadable port mapping "${entry}"`);
  return { hostIp, hostPort, containerPort };
}

/** The environment variable names the gateway reads, from the design contract (DESIGN.md §3). */
export const CONTRACT_ENV = [
  'DATABASE_URL',
  'DATA_DIR',
  'PORT',
  'TARGET_PORT',
  'DEMO_TRAFFIC',
  'INGEST_TOKEN',
  'DASHBOARD_TOKEN',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_MODEL',
  'REDIS_URL',
  'RETENTION_DAYS',
  'TZ',
] as const;

/** Contract names that belong to the target server / demo traffic rather than the gateway. */
export const TARGET_ENV = ['TARGET_PORT', 'DEMO_TRAFFIC'] as const;
