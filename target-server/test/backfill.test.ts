import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS_RECORD_KEYS, FLAT_SHAPE, formatAccessLine, startTargetServer, writeBackfill, type AccessRecord } from '../src/index.ts';
import { readRecords, tempDir, waitForRecords } from './support.ts';

describe('writeBackfill', () => {
  it('writes the expected volume of lines, in order, inside the window, with an incident where placed', async () => {
    const file = join(tempDir(), 'logs', 'access.log');
    const to = Date.parse('2026-05-10T12:00:00Z');
    const result = await writeBackfill({ file, window: '2h', to, rate: 4, seed: 3, shape: FLAT_SHAPE, incidents: ['errors:/api/users:10m@-30m'] });
    const records = readRecords(file);
    expect(result).toMatchObject({ file, records: records.length, from: '2026-05-10T10:00:00.000Z', to: '2026-05-10T12:00:00.000Z' });
    expect(result.bytes).toBe(readFileSync(file).length);
    // 4 req/s × 7200 s = 28,800 ± a few Poisson standard deviations (σ ≈ 170).
    expect(Math.abs(records.length - 28_800)).toBeLessThan(850);
    const times = records.map((r) => Date.parse(r.timestamp));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(to - 2 * 3_600_000);
    expect(Math.max(...times)).toBeLessThan(to);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const r of records.slice(0, 50)) expect(Object.keys(r)).toEqual([...ACCESS_RECORD_KEYS]);

    const incidentStart = to - 30 * 60_000;
    const users = records.filter((r) => r.path.startsWith('/api/users'));
    const failing = (list: AccessRecord[]) => list.filter((r) => r.status === 500).length / list.length;
    expect(failing(users.filter((r) => Date.parse(r.timestamp) >= incidentStart && Date.parse(r.timestamp) < incidentStart + 600_000))).toBeGreaterThan(0.45);
    expect(failing(users.filter((r) => Date.parse(r.timestamp) < incidentStart))).toBe(0);
  });

  it('appends to an existing log in the same line format the server writes', async () => {
    const file = join(tempDir(), 'access.log');
    const server = await startTargetServer({ port: 0, host: '127.0.0.1', accessLog: file, simulateWork: false });
    try {
      await fetch(`${server.url}/api/users/1`).then((r) => r.text());
      const [live] = await waitForRecords(file, 1);
      const serverLine = readFileSync(file, 'utf8');
      expect(serverLine).toBe(formatAccessLine(live!));

      // Flat: with the daily curve, 10 minutes at night hold under half the records of 10 at the peak.
      await writeBackfill({ file, window: '10m', rate: 1, seed: 1, shape: FLAT_SHAPE });
      const records = readRecords(file);
      expect(records.length).toBeGreaterThan(300);
      expect(records[0]).toEqual(live);
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n').filter(Boolean)).toEqual(records.map((r) => formatAccessLine(r).trimEnd()));
    } finally {
      await server.stop();
    }
  });

  it('rejects a bad window before touching the file', async () => {
    const file = join(tempDir(), 'nothing', 'access.log');
    await expect(writeBackfill({ file, window: 'a week', rate: 1 })).rejects.toThrow(/window/);
    await expect(writeBackfill({ file, window: '1h', rate: 1, incidents: ['bogus'] })).rejects.toThrow(/incident/);
    expect(readRecords(file)).toEqual([]);
  });
});
