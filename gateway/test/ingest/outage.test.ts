import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayWithOutage, type GatewayWithOutage } from '../support/database-outage.ts';
import { jsonLines } from '../support/gateway.ts';
import { waitFor } from '@logpulse/testkit/wait-for';

const batch = (n: number, tag: string) =>
  jsonLines(Array.from({ length: n }, (_, i) => ({ timestamp: new Date().toISOString(), path: `/outage/${i}`, method: 'GET', status: 200, latency_ms: 3, service: tag })));

describe('PostgreSQL outage', () => {
  let outage: GatewayWithOutage | undefined;
  afterAll(() => outage?.close());

  it('answers 503 while the database is unreachable and recovers by itself when it is back', async () => {
    // Starts even though PostgreSQL is unreachable: ingest says 503 so Fluent Bit keeps the data.
    outage = await startGatewayWithOutage({ cut: true });
    const gw = outage.gateway;
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    const refused = await gw.ingest(batch(3, 'outage'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const gql = await gw.graphql(`{ pipelineHealth(range: {last: "1h"}) { batches } }`);
    expect(gql.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    await outage.restore();
    const stored = await gw.ingest(batch(3, 'outage'));
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ accepted: 3, duplicate: false });

    // Cut again mid-operation: 503 (never 500 or 4xx), readyz reflects it, then recovery.
    await outage.cut();
    const duringCut = await gw.ingest(batch(2, 'outage2'));
    expect(duringCut.status).toBe(503);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    const query = await gw.graphql(`{ pipelineHealth(range: {last: "1h"}) { batches } }`);
    expect(query.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    await outage.restore();
    await waitFor('ingest after the second outage', async () => (await gw.ingest(batch(2, 'outage2'))).status === 200);
    const counts = await gw.graphql<{ pipelineHealth: { accepted: number } }>(`{ pipelineHealth(range: {last: "1h"}) { accepted } }`);
    expect(counts.data?.pipelineHealth.accepted).toBe(5);
  });
});
