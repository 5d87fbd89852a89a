import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

type Section = Record<string, string>;

/** Reads Fluent Bit's classic format: `[NAME]` headers and `Key  Value` lines, keys case-insensitive. */
function parseClassic(text: string): { name: string; options: Section }[] {
  const sections: { name: string; options: Section }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      sections.push({ name: header[1]!.toUpperCase(), options: {} });
      continue;
    }
    const [, key, value] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    const current = sections.at(-1);
    if (!current || !key || value === undefined) throw new Error(`unexpected line: ${line}`);
    current.options[key.toLowerCase()] = value.trim();
  }
  return sections;
}

/** Options as Fluent Bit reads them: case-insensitive keys, string values, On/on/true alike. */
function normalise(options: Record<string, unknown>): Section {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => {
      const value = String(v);
      return [k.toLowerCase(), /^(on|off|true|false)$/i.test(value) ? value.toLowerCase() : value];
    }),
  );
}

const yamlConfig = parse(read('fluent-bit.yaml')) as {
  env?: unknown;
  service: Record<string, unknown>;
  pipeline: { inputs: Record<string, unknown>[]; outputs: Record<string, unknown>[] };
};
const yamlParsers = (parse(read('parsers.yaml')) as { parsers: Record<string, unknown>[] }).parsers;
const [input] = yamlConfig.pipeline.inputs;
const [output] = yamlConfig.pipeline.outputs;
const classic = parseClassic(read('fluent-bit.conf'));
const classicParsers = parseClassic(read('parsers.conf'));

describe('fluent-bit.yaml contract', () => {
  it('tails the access log with the logpulse JSON parser, a position db and filesystem buffering', () => {
    expect(yamlConfig.pipeline.inputs).toHaveLength(1);
    // The file and its rotated copies, not compressed ones; rotated files followed until deleted.
    expect(input).toMatchObject({ name: 'tail', path: '${ACCESS_LOG_PATH}*', parser: 'logpulse_json', 'storage.type': 'filesystem', rotate_wait: 3600 });
    expect(String(input?.exclude_path)).toContain('*.gz');
    expect(String(input?.db)).toMatch(/^\$\{FLUENT_BIT_STATE_DIR\}\/.+\.db$/);
    expect(String(input?.skip_long_lines)).toBe('on');
    expect(String(yamlConfig.service['storage.path'])).toMatch(/^\$\{FLUENT_BIT_STATE_DIR\}\//);
    expect(yamlConfig.service).toMatchObject({ flush: 1, 'scheduler.base': 1, 'scheduler.cap': 30, parsers_file: 'parsers.yaml' });
    expect(existsSync(join(dir, String(yamlConfig.service.parsers_file)))).toBe(true);
  });

  it('parses the record\'s own timestamp and keeps it', () => {
    const parser = yamlParsers.find((p) => p.name === input?.parser);
    expect(parser).toMatchObject({ format: 'json', time_key: 'timestamp', time_format: '%Y-%m-%dT%H:%M:%S.%LZ', time_keep: 'on' });
  });

  it('posts gzip json_lines to /log/ingest with the Bearer token and retries forever', () => {
    expect(yamlConfig.pipeline.outputs).toHaveLength(1);
    expect(output).toMatchObject({
      name: 'http',
      match: input?.tag,
      host: '${INGEST_HOST}',
      port: '${INGEST_PORT}',
      tls: '${INGEST_TLS}',
      uri: '/log/ingest?service=target-server',
      format: 'json_lines',
      compress: 'gzip',
      header: 'Authorization Bearer ${INGEST_TOKEN}',
      json_date_key: 'timestamp',
      json_date_format: 'iso8601',
      retry_limit: 'no_limits',
    });
  });

  it('sends the body format of the Fluent Bit capture (same output options as its config)', () => {
    const capture = parseClassic(read('test/fixtures/json_lines_gzip.conf')).find((s) => s.name === 'OUTPUT')!.options;
    for (const key of ['name', 'format', 'compress', 'json_date_key', 'json_date_format']) {
      expect(normalise(output ?? {})[key], key).toBe(capture[key]);
    }
  });

  it('takes every variable from the environment, with defaults in fluent-bit.env except the token', () => {
    expect(yamlConfig.env).toBeUndefined(); // an env: section cannot be overridden by the environment
    const defaults = Object.fromEntries(
      read('fluent-bit.env')
        .split('\n')
        .filter((l) => /^\w+=/.test(l))
        .map((l) => l.split('=', 2) as [string, string]),
    );
    const settings = `${read('fluent-bit.yaml')}\n${read('fluent-bit.conf')}`
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const used = new Set([...settings.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(['ACCESS_LOG_PATH', 'FLUENT_BIT_HTTP_PORT', 'FLUENT_BIT_STATE_DIR', 'INGEST_HOST', 'INGEST_PORT', 'INGEST_TLS', 'INGEST_TOKEN']);
    for (const name of used) if (name !== 'INGEST_TOKEN') expect(defaults[name], name).toBeTruthy();
    expect(defaults.INGEST_TOKEN).toBeUndefined();
    expect(defaults.ACCESS_LOG_PATH).toBe('/logs/access.log');
    expect(defaults.FLUENT_BIT_HTTP_PORT).toBe('2020');
  });
});

describe('docker-compose.yml runs this config', () => {
  const compose = parse(readFileSync(join(dir, '..', 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
  };
  const service = Object.values(compose.services).find((s) => s.command?.some((c) => c.endsWith('fluent-bit.yaml')));

  it('mounts fluentbit/ and sets every variable the config uses', () => {
    expect(service, 'a compose service running fluent-bit.yaml').toBeDefined();
    const configPath = service!.command!.find((c) => c.endsWith('fluent-bit.yaml'))!;
    const mount = service!.volumes!.map((v) => v.split(':')).find(([from]) => from === './fluentbit');
    expect(mount, './fluentbit mounted').toBeDefined();
    expect(configPath).toBe(`${mount![1]}/fluent-bit.yaml`);
    for (const name of ['ACCESS_LOG_PATH', 'FLUENT_BIT_STATE_DIR', 'FLUENT_BIT_HTTP_PORT', 'INGEST_HOST', 'INGEST_PORT', 'INGEST_TLS', 'INGEST_TOKEN']) {
      expect(service!.environment?.[name], name).toBeTruthy();
    }
  });

  it.skipIf(!process.env.FLUENT_BIT_BIN)('pins the Fluent Bit version the tests run (FLUENT_BIT_BIN)', () => {
    const version = /Fluent Bit v(\S+)/.exec(execFileSync(process.env.FLUENT_BIT_BIN!, ['--version'], { encoding: 'utf8' }))?.[1];
    expect(version).toBe('5.1.1');
    expect(service!.image).toBe(`fluent/fluent-bit:${version}`);
  });
});

describe('fluent-bit.conf (classic) is the same pipeline', () => {
  it('has the same service, input and output settings as the YAML', () => {
    const section = (name: string) => classic.filter((s) => s.name === name).map((s) => normalise(s.options));
    expect(section('SERVICE')).toEqual([{ ...normalise(yamlConfig.service), parsers_file: 'parsers.conf' }]);
    expect(section('INPUT')).toEqual([normalise(input ?? {})]);
    expect(section('OUTPUT')).toEqual([normalise(output ?? {})]);
  });

  it('has the same parsers as parsers.yaml', () => {
    expect(classicParsers.every((s) => s.name === 'PARSER')).toBe(true);
    expect(classicParsers.map((s) => normalise(s.options))).toEqual(yamlParsers.map(normalise));
  });
});
