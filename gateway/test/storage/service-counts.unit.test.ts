import { describe, expect, it } from 'vitest';
import { countByService } from '../../src/storage/write-batch.ts';
import { oldestByService } from '../../src/storage/ingest-arrivals.ts';

// Found by the ingest fuzzer: a service named `valueOf` made the per-service count
// "function valueOf() { [native code] }1", which crashed the ingest metrics.
const NAMES = ['valueOf', 'toString', 'constructor', 'hasOwnProperty', '__proto__'];

describe('per-service bookkeeping with services named like Object.prototype members', () => {
  it('counts records per service', () => {
    const counts = countByService(NAMES.flatMap((service) => [{ service }, { service }]));
    expect(Object.keys(counts).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(counts[name]).toBe(2);
    expect(JSON.parse(JSON.stringify(counts))).toEqual(Object.fromEntries(NAMES.map((n) => [n, 2])));
  });

  it('keeps the oldest timestamp per service', () => {
    const oldest = oldestByService(
      NAMES.flatMap((service) => [
        { service, timestamp: new Date(2_000) },
        { service, timestamp: new Date(1_000) },
      ]),
    );
    for (const name of NAMES) expect(oldest[name]).toBe(1_000);
  });
});
