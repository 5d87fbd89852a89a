// The real Fluent Bit (FLUENT_BIT_BIN) with the shipped fluent-bit.yaml, the real gateway and the
// target server's own log rotation: every line written is stored exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, TEST_TOKEN, type TestGateway } from '../../gateway/test/support/gateway.ts';
import { waitFor } from '../../gateway/test/support/wait-for.ts';
import { accessLogWorkspace, compareSets, fluentBitMissing, startFluentBit, storedCounts, type FluentBit } from './support/fluent-bit.ts';

const SERVICE = 'target-server'; // the ?service= of the shipped config's output

describe.skipIf(fluentBitMissing !== undefined)('real Fluent Bit across log rotation', () => {
  let gateway: TestGateway;
  let ws: Awaited<ReturnType<typeof accessLogWorkspace>>;
  const running: FluentBit[] = [];
  const start = async () => {
    const fb = await startFluentBit({ logFile: ws.file, stateDir: ws.stateDir, gatewayUrl: gateway.url, token: TEST_TOKEN });
    running.push(fb);
    return fb;
  };
  const stored = () => storedCounts(gateway.storage.databaseUrl!, SERVICE);
  // A loss shows up in the set comparison after this, not as a timeout.
  const untilStored = (count: number) =>
    waitFor(`${count} lines stored`, async () => (await stored()).size >= count, 20_000).catch(() => undefined);
  const duplicateRecords = async () =>
    Number((await gateway.app.database!.pool.query<{ n: number }>('SELECT coalesce(sum(duplicate_records), 0)::int AS n FROM ingest_batches')).rows[0]!.n);

  beforeEach(async () => {
    gateway = await startTestGateway('postgres');
    ws = await accessLogWorkspace(`fb-${Date.now().toString(36)}`);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((fb) => fb.stop('SIGKILL')));
    await ws.cleanup();
    await gateway.close();
  });

  async function stoppedAcrossRotations(signal: NodeJS.Signals, rotations: number) {
    const fb = await start();
    ws.write(300);
    await untilStored(300);
    // Lines Fluent Bit may or may not have read when it stops.
    ws.write(200);
    await sleep(300);
    await fb.stop(signal);
    for (let r = 0; r < rotations; r++) {
      ws.write(250);
      ws.rotate();
    }
    ws.write(150);
    await start();
    await untilStored(ws.written.length);
    // Room for a late re-read to show up as a duplicate.
    await sleep(1500);
    const result = compareSets(ws.written, await stored());
    console.log(signal, rotations, 'written', ws.written.length, 'missing', result.missing.length, 'twice', result.twice.length, 'resent', await duplicateRecords());
    expect(result).toEqual({ missing: [], twice: [], unexpected: [] });
  }

  it('Fluent Bit stopped (SIGTERM) while the log rotates once: every line once', () => stoppedAcrossRotations('SIGTERM', 1));
  it('Fluent Bit killed (kill -9) while the log rotates once: every line once', () => stoppedAcrossRotations('SIGKILL', 1));
  it('Fluent Bit stopped (SIGTERM) while the log rotates three times: every line once', () => stoppedAcrossRotations('SIGTERM', 3));
  it('Fluent Bit killed (kill -9) while the log rotates three times: every line once', () => stoppedAcrossRotations('SIGKILL', 3));

  it('20 rotations while Fluent Bit runs: every line once, and how many it sent twice', async () => {
    await start();
    for (let r = 0; r < 20; r++) {
      ws.write(150);
      await sleep(250);
      ws.rotate();
    }
    ws.write(100);
    await untilStored(ws.written.length);
    await sleep(1500);
    const result = compareSets(ws.written, await stored());
    console.log('running 20', 'written', ws.written.length, 'missing', result.missing.length, 'twice', result.twice.length, 'resent', await duplicateRecords());
    expect(result).toEqual({ missing: [], twice: [], unexpected: [] });
  });
});
