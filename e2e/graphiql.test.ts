import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { launchChromium } from './support/browser.ts';
import { buildDataset } from './support/dataset.ts';

// GraphiQL must work on a machine without internet: every request to a host other than the
// gateway is aborted, as it would fail offline, and the page must still run a README query.

// From README "Analyses (GraphQL)".
const README_QUERY = '{ slowEndpoints(range: {last: "24h"}, limit: 10, minRequests: 20) { service method route count p95 avg max } }';

let gateway: TestGateway;
let browser: Browser;

beforeAll(async () => {
  gateway = await startTestGateway('postgres');
  expect((await gateway.ingest(jsonLines(buildDataset(Date.now())))).status).toBe(200);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

describe('GraphiQL', () => {
  it('loads from the gateway alone, under its CSP, and runs a README query', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const origin = new URL(gateway.url).origin;
    const foreign: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      foreign.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    const response = await page.goto(`${gateway.url}/graphql?query=${encodeURIComponent(README_QUERY)}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
    const api = await gateway.graphql<{ slowEndpoints: { route: string }[] }>(README_QUERY);
    const slowest = api.data!.slowEndpoints[0]!.route;
    // The response pane is a Monaco editor (it renders the lines in view, with non-breaking spaces).
    const result = page.locator('.graphiql-response');
    const text = async () => (await result.innerText()).replace(/\s+/g, ' ');
    await expect.poll(text, { timeout: 20_000 }).toContain('"slowEndpoints"');
    expect(await text()).toContain(`"route": "${slowest}"`);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('serves only the known assets', async () => {
    expect((await fetch(`${gateway.url}/graphql/graphiql-assets/start.js`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/graphql/graphiql-assets/nope.js`)).status).toBe(404);
  });
});
