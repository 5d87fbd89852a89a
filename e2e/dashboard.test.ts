import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../gateway/test/support/gateway.ts';
import { launchChromium } from './support/browser.ts';
import { buildDataset, INVALID_RECORDS } from './support/dataset.ts';
import { ensureWebBuild, ROOT, WEB_DIST } from './support/web-build.ts';

// The dashboard in real Chromium against a real gateway and PostgreSQL: the numbers it shows
// must be the API's, drill-downs must filter, live logs must arrive, and every page is
// screenshotted in both themes under e2e/screenshots/ (git-ignored) for a human to look at.

const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');
const SCHEMA = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
const hasField = (name: string) => new RegExp(`^\\s+${name}\\(`, 'm').test(SCHEMA);
const int = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);

let gateway: TestGateway;
let browser: Browser;
let context: BrowserContext;

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { jsErrors?: string[] }).jsErrors = errors;
  await page.goto(`${gateway.url}${path}`);
  return page;
}

async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await gateway.graphql<T>(query, variables);
  if (res.errors?.length) throw new Error(res.errors.map((e) => e.message).join('; '));
  return res.data as T;
}

/** Waits until no panel is loading; fails on an error state or an uncaught page error. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('main') !== null && document.querySelectorAll('.state-loading').length === 0, null, { timeout: 20_000 });
  const errorStates = await page.locator('[data-state="error"]').allInnerTexts();
  expect(errorStates, 'panels in an error state').toEqual([]);
  expect((page as Page & { jsErrors?: string[] }).jsErrors ?? []).toEqual([]);
}

beforeAll(async () => {
  ensureWebBuild();
  gateway = await startTestGateway('postgres', { env: { WEB_DIST } });
  const records = buildDataset(Date.now());
  for (let i = 0; i < records.length; i += 100) {
    const res = await gateway.ingest(jsonLines(records.slice(i, i + 100)));
    expect(res.status).toBe(200);
  }
  expect((await gateway.ingest(jsonLines(INVALID_RECORDS))).status).toBe(200);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'en-US', timezoneId: 'UTC' });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await gateway?.close();
});

describe('dashboard in Chromium', () => {
  it('overview shows the API’s request count and slowest endpoint', async () => {
    const api = await data<{ services: { count: number }[]; slowEndpoints: { method: string; route: string }[] }>(
      `{ services(range: {last: "1h"}) { count } slowEndpoints(range: {last: "1h"}, limit: 6) { method route } }`,
    );
    const requests = api.services.reduce((sum, s) => sum + s.count, 0);
    expect(requests).toBeGreaterThan(200);
    const page = await open('/?range=1h&lang=en&theme=light');
    await page.locator('[data-kpi="requests"] .kpi-value').waitFor();
    await settled(page);
    expect(await page.locator('[data-kpi="requests"] .kpi-value').innerText()).toBe(int(requests));
    const first = page.locator('[data-testid="slow-endpoint-row"]').first();
    expect(await first.locator('.endpoint-link').getAttribute('data-route')).toBe(api.slowEndpoints[0]!.route);
    expect(await first.locator('.method').innerText()).toBe(api.slowEndpoints[0]!.method);
    await page.close();
  });

  it('renders every page without errors, in light and dark (screenshots)', async () => {
    const pages = ['/', '/endpoints', '/endpoints/detail?route=/api/orders&method=POST&endpointService=shop-api', '/errors', '/performance', '/insights', '/live', '/ai', '/pipeline', '/logs'];
    for (const theme of ['light', 'dark'] as const) {
      for (const path of pages) {
        const page = await open(`${path}${path.includes('?') ? '&' : '?'}theme=${theme}&lang=en`);
        await settled(page);
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        const name = path === '/' ? 'overview' : path.slice(1).split('?')[0]!.replace(/\//g, '-');
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`), fullPage: true });
        await page.close();
      }
    }
  });

  it('error heatmap cells carry the API’s counts', async () => {
    const api = await data<{ errorHeatmap: { method: string; route: string; data: { hour: number; errors: number }[] }[] }>(
      `{ errorHeatmap(range: {last: "1h"}, tz: "UTC", limit: 15) { method route data { hour errors } } }`,
    );
    const expected = api.errorHeatmap.flatMap((r) => r.data.filter((c) => c.errors > 0).map((c) => `${r.method} ${r.route}@${c.hour}=${c.errors}`)).sort();
    expect(expected.length).toBeGreaterThan(0);
    const page = await open('/errors?tz=UTC&lang=en');
    await page.locator('[data-testid="heatmap-table"] tr').first().waitFor({ state: 'attached' });
    await settled(page);
    const shown = await page.locator('[data-testid="heatmap-table"] tr').evaluateAll((rows) =>
      rows.map((r) => `${r.querySelector('th')?.textContent}@${r.getAttribute('data-hour')}=${r.getAttribute('data-errors')}`),
    );
    expect(shown.sort()).toEqual(expected);
    // The chart itself draws one labelled cell per non-empty (endpoint, hour).
    expect(await page.locator('[data-testid="errors-heatmap"] svg text', { hasText: /^\d+$/ }).count()).toBeGreaterThanOrEqual(expected.length);
    await page.close();
  });

  it('a drill-down from status × endpoint filters the logs explorer', async () => {
    const page = await open('/errors?lang=en');
    const link = page.locator('[data-testid="status-endpoint-link"]').first();
    await link.waitFor();
    await settled(page);
    await link.click();
    await page.waitForURL(/\/logs\?/);
    const url = new URL(page.url());
    const status = Number(url.searchParams.get('f.status'));
    const route = url.searchParams.get('f.route');
    expect(status).toBeGreaterThanOrEqual(400);
    expect(route).toBeTruthy();
    await page.locator('[data-testid="log-row"]').first().waitFor();
    await settled(page);
    const statuses = await page.locator('[data-testid="log-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-status'))));
    const api = await data<{ recentLogs: { edges: unknown[] } }>(`query($f: LogFilter) { recentLogs(first: 500, filter: $f) { edges { cursor } } }`, {
      f: { route, method: url.searchParams.get('f.method'), service: url.searchParams.get('f.service'), status, from: new Date(Date.now() - 3_600_000).toISOString() },
    });
    expect(statuses.length).toBe(api.recentLogs.edges.length);
    expect(new Set(statuses)).toEqual(new Set([status]));
    expect(await page.locator('[data-testid="active-filters"] [data-filter="f.status"]').innerText()).toContain(String(status));
    await page.close();
  });

  it('live logs show a record within seconds of its ingest', async () => {
    const page = await open('/live?lang=en');
    // The subscription is live once the header's connection dot turns green.
    await page.locator('.live-dot-connected').waitFor({ timeout: 15_000 });
    const marker = `/api/e2e-live-${Date.now()}`;
    const record = { ...buildDataset(Date.now(), 99)[0]!, timestamp: new Date().toISOString(), path: marker, status: 503 };
    expect((await gateway.ingest(jsonLines([record]))).status).toBe(200);
    const row = page.locator('[data-testid="log-row"]', { hasText: marker });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-status')).toBe('503');
    await row.locator('button').click();
    expect(await row.locator('.log-detail').innerText()).toContain(record.request_id);
    await page.close();
  });

  it('the ko switch changes labels and keeps the choice in the URL', async () => {
    const page = await open('/?lang=en');
    await page.locator('[data-kpi="requests"]').waitFor();
    expect(await page.locator('nav a[data-page="/"]').innerText()).toBe('Overview');
    await page.getByRole('button', { name: '한국어' }).click();
    await page.waitForURL(/lang=ko/);
    expect(await page.locator('nav a[data-page="/"]').innerText()).toBe('개요');
    expect(await page.locator('[data-kpi="requests"] .kpi-label').innerText()).toBe('요청 수');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    await page.reload();
    expect(await page.locator('nav a[data-page="/"]').innerText()).toBe('개요');
    await page.locator('[data-kpi="requests"]').waitFor();
    await settled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-ko.png'), fullPage: true });
    await page.close();
  });

  it.runIf(hasField('analyzeRecentLogs'))('offline AI analysis renders, and the chat answers with sources', async () => {
    const page = await open('/ai?lang=en');
    await page.locator('[data-testid="ai-analyze"]').click();
    const result = page.locator('[data-testid="ai-analysis"] [data-testid="ai-result"]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.locator('[data-testid="ai-provider"]').innerText()).toBe('Offline analyst');
    expect((await result.locator('[data-testid="ai-summary"]').innerText()).length).toBeGreaterThan(10);
    // The analysis is stored and listed in the history.
    await page.locator('[data-testid="ai-history"] .history-item').first().waitFor({ timeout: 10_000 });
    await page.getByLabel('Ask about your logs').fill('Which endpoint is slowest?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('[data-testid="chat-answer"]').first();
    await answer.waitFor({ timeout: 30_000 });
    expect((await answer.innerText()).length).toBeGreaterThan(10);
    await settled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'ai-used-light.png'), fullPage: true });
    await page.close();
  });
});
