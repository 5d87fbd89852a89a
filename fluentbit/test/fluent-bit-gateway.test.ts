// The real Fluent Bit (FLUENT_BIT_BIN) against the real gateway: the configs fluentbit/README.md
// documents besides the shipped one.
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@logpulse/gateway/config';
import { startTestGateway, TEST_TOKEN, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { waitFor } from '@logpulse/testkit/wait-for';
import { BENCH_TOKEN, startGateway, type GatewayProcess } from '@logpulse/testkit/gateway-process';
import { createTestStorage } from '@logpulse/gateway/test-support/databases';
import {
  accessLogWorkspace,
  compareSets,
  FLUENT_BIT_DIR,
  fluentBitMissing,
  freePort,
  startFluentBit,
  storedCounts,
  type FluentBit,
} from './support/fluent-bit.ts';

describe('INGEST_AUTH=none (a shipper config without a token) is refused where it is unsafe', () => {
  it('starts only in development and on loopback', () => {
    expect(loadConfig({ INGEST_AUTH: 'none', HOST: '127.0.0.1' }).ingestAuthDisabled).toBe(true);
    expect(loadConfig({ INGEST_AUTH: 'none', HOST: '::1' }).ingestAuthDisabled).toBe(true);
    expect(() => loadConfig({ INGEST_AUTH: 'none' })).toThrow(/INGEST_AUTH=none needs HOST=127\.0\.0\.1.*0\.0\.0\.0/);
    expect(() => loadConfig({ INGEST_AUTH: 'none', HOST: '192.168.1.5' })).toThrow(/needs HOST=127\.0\.0\.1/);
    expect(() =>
      loadConfig({ INGEST_AUTH: 'none', HOST: '127.0.0.1', NODE_ENV: 'production', INGEST_TOKEN: 'a8f3c1d9e7b2a6f4c0d8e1b3' }),
    ).toThrow(/development only/);
    expect(() => loadConfig({ INGEST_AUTH: 'off' })).toThrow(/INGEST_AUTH/);
  });
});

describe.skipIf(fluentBitMissing !== undefined)('real Fluent Bit with the documented configs', () => {
  let dir: string;
  let gateway: TestGateway | undefined;
  const running: FluentBit[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logpulse-fbcfg-'));
    await mkdir(join(dir, 'logs'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((fb) => fb.stop('SIGKILL')));
    await gateway?.close();
    gateway = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts fluent-bit.yaml and fluent-bit.conf (--dry-run)', () => {
    const env = {
      ...process.env,
      ACCESS_LOG_PATH: '/tmp/x.log',
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: '8000',
      INGEST_TLS: 'off',
      INGEST_TOKEN: 't',
      FLUENT_BIT_STATE_DIR: dir,
      FLUENT_BIT_HTTP_PORT: '2020',
    };
    for (const config of ['fluent-bit.yaml', 'fluent-bit.conf']) {
      // It prints the verdict on stderr and exits 0 (execFileSync throws on any other exit).
      const result = spawnSync(process.env.FLUENT_BIT_BIN!, ['-c', config, '--dry-run'], { cwd: FLUENT_BIT_DIR, env, encoding: 'utf8' });
      expect(result.status, config).toBe(0);
      expect(`${result.stdout}${result.stderr}`, config).toMatch(/configuration test is successful/);
    }
  });

  it("the original system's token-less config stores every line with a loopback gateway run with INGEST_AUTH=none", async () => {
    gateway = await startTestGateway('postgres', { env: { INGEST_TOKEN: '', INGEST_AUTH: 'none' } });
    const file = join(dir, 'logs', 'access.log');
    // The original system's shape: zone-less second timestamps, client_ip, integer latency.
    const ids = Array.from({ length: 50 }, (_, i) => `legacy-${i}`);
    await appendFile(
      file,
      ids
        .map(
          (id, i) =>
            `${JSON.stringify({ timestamp: new Date(Date.now() - i * 1000).toISOString().slice(0, 19), path: '/api/orders', method: 'GET', status: 200, latency_ms: 12, user_agent: 'legacy', client_ip: '10.0.0.9', request_id: id })}\n`,
        )
        .join(''),
    );
    running.push(
      await startFluentBit({
        config: join(FLUENT_BIT_DIR, 'test', 'fixtures', 'legacy-no-token.conf'),
        logFile: file,
        stateDir: join(dir, 'state'),
        gatewayUrl: gateway.url,
      }),
    );
    // Its records carry no service, and its URI names one: ?service=legacy.
    await waitFor('50 legacy lines stored', async () => (await storedCounts(gateway!.storage.databaseUrl!, 'legacy')).size === 50, 20_000);
    // Room for a line sent twice to show up; then the set stored is the set written, each once.
    await new Promise((r) => setTimeout(r, 1500));
    expect(compareSets(ids, await storedCounts(gateway.storage.databaseUrl!, 'legacy'))).toEqual({ missing: [], twice: [], unexpected: [] });
    const { rows } = await gateway.app.database!.pool.query(`SELECT DISTINCT ip_address FROM logs WHERE service = 'legacy'`);
    expect(rows).toEqual([{ ip_address: '10.0.0.9' }]);
  });

  it('without a parser: JSON lines are stored, a text line is dead-lettered with how to add the parser', async () => {
    gateway = await startTestGateway('postgres');
    const shipped = await readFile(join(FLUENT_BIT_DIR, 'fluent-bit.yaml'), 'utf8');
    const config = join(FLUENT_BIT_DIR, `.noparser-${process.pid}.yaml`);
    // The shipped config minus its parser: the shape of a first config (and of Docker/CRI files).
    await writeFile(config, shipped.replace(/^\s+parser: logpulse_json\n/m, ''));
    try {
      const file = join(dir, 'logs', 'access.log');
      const ids = Array.from({ length: 40 }, (_, i) => `noparser-${i}`);
      const line = (id: string) =>
        JSON.stringify({
          timestamp: new Date().toISOString(),
          path: '/api/users/1',
          method: 'GET',
          status: 200,
          latency_ms: 2.5,
          request_id: id,
        });
      await appendFile(file, `${ids.slice(0, 20).map(line).join('\n')}\nnot json at all\n${ids.slice(20).map(line).join('\n')}\n`);
      running.push(
        await startFluentBit({ config, logFile: file, stateDir: join(dir, 'state'), gatewayUrl: gateway.url, token: TEST_TOKEN }),
      );
      const pool = gateway.app.database!.pool;
      await waitFor('the lines and the dead letter', async () => (await pool.query('SELECT 1 FROM dead_letters')).rowCount === 1 && (await storedCounts(gateway!.storage.databaseUrl!, 'target-server')).size === 40, 20_000);
      expect(compareSets(ids, await storedCounts(gateway.storage.databaseUrl!, 'target-server'))).toEqual({ missing: [], twice: [], unexpected: [] });
      const dead = (await pool.query<{ reason: string; raw: string }>('SELECT reason, raw FROM dead_letters')).rows;
      expect(dead[0]!.reason).toMatch(/parser: logpulse_json/);
      expect(dead[0]!.raw).toContain('not json at all');
      // The outer date key Fluent Bit added does not leak into the record.
      expect((await pool.query('SELECT count(*)::int AS n FROM logs WHERE extra IS NOT NULL')).rows[0].n).toBe(0);
    } finally {
      await rm(config, { force: true });
    }
  });

  it('the gateway killed (kill -9) mid-stream and started again: every line once', async () => {
    const storage = await createTestStorage('postgres');
    const ws = await accessLogWorkspace(`gwkill-${Date.now().toString(36)}`);
    const port = await freePort();
    const gateways: GatewayProcess[] = [];
    // A gateway process (so it can be killed) on a fixed port (the one Fluent Bit posts to).
    const startGw = async () => {
      const gw = await startGateway({ databaseUrl: storage.databaseUrl, dataDir: ws.dir, port });
      gateways.push(gw);
      return gw;
    };
    try {
      const first = await startGw();
      running.push(
        await startFluentBit({ logFile: ws.file, stateDir: ws.stateDir, gatewayUrl: `http://127.0.0.1:${port}`, token: BENCH_TOKEN }),
      );
      for (let burst = 0; burst < 10; burst++) {
        ws.write(200);
        if (burst === 4) process.kill(first.pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 200));
      }
      await startGw();
      const stored = () => storedCounts(storage.databaseUrl!, 'target-server');
      await waitFor('every line stored', async () => (await stored()).size >= ws.written.length, 40_000).catch(() => undefined);
      expect(compareSets(ws.written, await stored())).toEqual({ missing: [], twice: [], unexpected: [] });
    } finally {
      for (const gw of gateways) await gw.stop().catch(() => undefined);
      await ws.cleanup();
      await storage.drop();
    }
  });
});
