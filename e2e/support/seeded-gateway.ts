import { expect } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { buildDataset, INVALID_RECORDS } from './dataset.ts';
import { buildIncident, type Incident } from '@logpulse/testkit/incident';
import { ensureWebBuild, WEB_DIST } from './web-build.ts';

/**
 * A gateway serving the built dashboard, holding the e2e data set, two invalid records (dead
 * letters) and the scripted incident, which ends a whole minute before now so its last bucket is
 * complete (and past the detector's ingest grace) for every query.
 */
export async function startSeededGateway(): Promise<{ gateway: TestGateway; incident: Incident }> {
  ensureWebBuild();
  const gateway = await startTestGateway('postgres', { env: { WEB_DIST } });
  const records = buildDataset(Date.now());
  for (let i = 0; i < records.length; i += 100) {
    const res = await gateway.ingest(jsonLines(records.slice(i, i + 100)));
    expect(res.status).toBe(200);
  }
  expect((await gateway.ingest(jsonLines(INVALID_RECORDS))).status).toBe(200);
  const incident = buildIncident(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  for (let i = 0; i < incident.records.length; i += 500) {
    const res = await gateway.ingest(jsonLines(incident.records.slice(i, i + 500)));
    expect(res.status).toBe(200);
  }
  return { gateway, incident };
}
