import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { groupAnomalies, groupRecommendations, type GroupableAnomaly, type GroupableRecommendation } from '@logpulse/web/insights-grouping';
import { createFormatters } from '@logpulse/web/format';
import { launchChromium } from './support/browser.ts';
import { buildDataset } from './support/dataset.ts';
import { INCIDENT_ENDPOINT, type Incident } from '@logpulse/testkit/incident';
import { DASHBOARD_PAGES, openPage, settled, withParams } from './support/pages.ts';
import { startSeededGateway } from './support/seeded-gateway.ts';
import { ROOT } from './support/web-build.ts';

// The dashboard in real Chromium against a real gateway and PostgreSQL: the numbers it shows
// must be the API's, drill-downs must filter, live logs must arrive, and every page is
// screenshotted in both themes under e2e/screenshots/ (git-ignored) for a human to look at.

const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');
const SCHEMA = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
const hasField = (name: string) => new RegExp(`^\\s+${name}\\(`, 'm').test(SCHEMA);
const int = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
// The dashboard's own formatters, as the pages below use them (English, UTC).
const fmt = createFormatters('en', 'UTC');

let gateway: TestGateway;
let incident: Incident;
let browser: Browser;
let context: BrowserContext;

const open = (path: string): Promise<Page> => openPage(context, `${gateway.url}${path}`);

async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await gateway.graphql<T>(query, variables);
  if (res.errors?.length) throw new Error(res.errors.map((e) => e.message).join('; '));
  return res.data as T;
}

beforeAll(async () => {
  ({ gateway, incident } = await startSeededGateway());
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
  it('overview shows the API’s request count, slowest endpoint and newest anomalies', async () => {
    // A fixed range: the incident's steady traffic would move a "last hour" count between the
    // API call and the page's own query.
    const api = await data<{
      services: { count: number }[];
      slowEndpoints: { method: string; route: string }[];
      anomalies: { anomalies: { kind: string; method: string | null; route: string | null }[] };
    }>(
      `query($range: TimeRange!) { services(range: $range) { count } slowEndpoints(range: $range, limit: 6) { method route }
        anomalies(range: $range) { anomalies { kind method route } } }`,
      { range: incident.range },
    );
    const requests = api.services.reduce((sum, s) => sum + s.count, 0);
    expect(requests).toBeGreaterThan(200);
    const page = await open(`/?from=${incident.range.from}&to=${incident.range.to}&lang=en&theme=light`);
    await page.locator('[data-kpi="requests"] .kpi-value').waitFor();
    await page.locator('[data-testid="live-anomaly"]').first().waitFor();
    await settled(page);
    expect(await page.locator('[data-kpi="requests"] .kpi-value').innerText()).toBe(int(requests));
    const first = page.locator('[data-testid="slow-endpoint-row"]').first();
    expect(await first.locator('.endpoint-link').getAttribute('data-route')).toBe(api.slowEndpoints[0]!.route);
    expect(await first.locator('.method').innerText()).toBe(api.slowEndpoints[0]!.method);
    // The live-anomalies panel lists the API's anomalies, the incident's among them.
    const shown = await page
      .locator('[data-testid="live-anomaly"]')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.getAttribute('data-kind')} ${r.getAttribute('data-method')} ${r.getAttribute('data-route')}`),
      );
    const expected = api.anomalies.anomalies.map((a) => `${a.kind} ${a.method ?? ''} ${a.route ?? ''}`);
    expect(shown.length).toBe(Math.min(6, expected.length));
    for (const row of shown) expect(expected).toContain(row);
    expect(shown).toContain(`ERROR_RATE ${INCIDENT_ENDPOINT.method} ${INCIDENT_ENDPOINT.route}`);
    await page.close();
  });

  it('insights groups the incident’s anomalies into one card with the API’s numbers, ranks its advice first, and drills down to its 5xx logs', async () => {
    type ApiAnomaly = GroupableAnomaly & { bucketSeconds: number; observed: number; baseline: number; score: number; errors: number };
    const api = await data<{ anomalies: { anomalies: ApiAnomaly[] }; recommendations: GroupableRecommendation[] }>(
      `query($range: TimeRange!) {
        anomalies(range: $range) { anomalies { kind severity service method route start end bucketSeconds observed baseline score errors } }
        recommendations(range: $range, limit: 20) { kind priority service method route affectedRequests } }`,
      { range: incident.range },
    );
    const burst = api.anomalies.anomalies.find((a) => a.kind === 'ERROR_RATE' && a.route === INCIDENT_ENDPOINT.route);
    expect(burst, JSON.stringify(api.anomalies.anomalies)).toBeDefined();
    expect(burst!.method).toBe(INCIDENT_ENDPOINT.method);
    // A low-volume endpoint is judged in pooled buckets (the minimum-evidence rule), so the
    // anomaly's window is the burst widened to whole buckets of the anomaly's own size.
    const bucketMs = burst!.bucketSeconds * 1000;
    expect(Date.parse(burst!.start)).toBeLessThanOrEqual(incident.burst.start.getTime());
    expect(Date.parse(burst!.end)).toBeGreaterThanOrEqual(incident.burst.end.getTime());
    expect(Date.parse(burst!.end) - Date.parse(burst!.start)).toBeLessThanOrEqual(
      incident.burst.end.getTime() - incident.burst.start.getTime() + 2 * bucketMs,
    );
    const incidents = groupAnomalies(api.anomalies.anomalies);

    const page = await open(`/insights?from=${incident.range.from}&to=${incident.range.to}&lang=en&tz=UTC`);
    await page.locator('[data-testid="anomaly"]').first().waitFor();
    await page
      .locator('[data-testid="recommendation-list"], [data-testid="insights-recommendations"] [data-state="empty"]')
      .first()
      .waitFor();
    await settled(page);
    // One card per incident, each listing the API's anomalies of it: none lost, none twice.
    const cards = await page.locator('[data-testid="anomaly"]').evaluateAll((els) =>
      els.map((el) => ({
        lead: `${el.getAttribute('data-kind')} ${el.getAttribute('data-route')}`,
        affected: [...el.querySelectorAll('[data-testid="anomaly-member"]')].map(
          (m) => `${m.getAttribute('data-kind')} ${m.getAttribute('data-route')}`,
        ),
      })),
    );
    expect(cards).toEqual(
      incidents.map((i) => ({
        lead: `${i.lead.kind} ${i.lead.route ?? ''}`,
        affected: i.affected.map((a) => `${a.kind} ${a.route ?? ''}`),
      })),
    );
    expect(cards.length).toBeLessThan(api.anomalies.anomalies.length);

    const entry = page.locator(
      `:is([data-testid="anomaly"], [data-testid="anomaly-member"])[data-kind="ERROR_RATE"][data-route="${INCIDENT_ENDPOINT.route}"]`,
    );
    const isMember = (await entry.getAttribute('data-testid')) === 'anomaly-member';
    const stat = (name: string) => entry.locator(isMember ? `[data-stat="${name}"]` : `.stats [data-stat="${name}"]`);
    expect(await entry.locator('.endpoint-link .method').first().innerText()).toBe(INCIDENT_ENDPOINT.method);
    expect(await stat('score').innerText()).toBe(fmt.decimal(burst!.score, 1));
    expect(await stat('observed').innerText()).toContain(fmt.percent(burst!.observed, 1));
    expect(await stat('baseline').innerText()).toContain(fmt.percent(burst!.baseline, 1));
    // (CLDR's thin spaces around the dash may come back as plain ones.)
    const words = (text: string) => text.replace(/\s+/g, ' ');
    const card = isMember ? page.locator('[data-testid="anomaly"]', { has: entry }) : entry;
    const group = incidents.find((i) => i.lead === burst || i.affected.includes(burst!))!;
    expect(words(await card.locator('.finding-when time').innerText())).toBe(words(fmt.timeWindow(group.start, group.end)));
    expect(await card.locator('.finding-head [data-severity]').getAttribute('data-severity')).toBe(group.severity);

    // Recommendations: one card per kind, in the grouping's order, the live incident's advice first.
    const groups = groupRecommendations(api.recommendations, api.anomalies.anomalies);
    const shown = await page.locator('[data-testid="recommendation"]').evaluateAll((els) =>
      els.map((el) => ({
        kind: el.getAttribute('data-kind'),
        live: el.getAttribute('data-live'),
        routes: [...el.querySelectorAll('[data-testid="recommendation-item"]')].map((i) => i.getAttribute('data-route')),
      })),
    );
    expect(shown).toEqual(groups.map((g) => ({ kind: g.kind, live: String(g.live), routes: g.items.map((r) => r.route ?? '') })));
    // The incident's 5xx advice is live and leads; standing advice (speed up /api/slow…) follows it.
    expect(
      api.recommendations.some((r) => r.kind === 'INVESTIGATE_5XX' && r.route === INCIDENT_ENDPOINT.route),
      JSON.stringify(api.recommendations),
    ).toBe(true);
    // The API ranks by priority alone (standing advice of higher priority first): the order is the page's.
    const apiKinds = api.recommendations.map((r) => r.kind);
    expect(apiKinds.indexOf('INVESTIGATE_5XX'), JSON.stringify(apiKinds)).toBeGreaterThan(0);
    expect(shown[0]).toMatchObject({ kind: 'INVESTIGATE_5XX', live: 'true' });
    expect(shown[0]!.routes).toContain(INCIDENT_ENDPOINT.route);
    const firstStanding = shown.findIndex((g) => g.live === 'false');
    expect(firstStanding, 'standing advice on the page too').toBeGreaterThan(0);
    expect(shown.slice(firstStanding).every((g) => g.live === 'false')).toBe(true);

    const logsLink = isMember
      ? entry.locator('[data-testid="anomaly-logs"]')
      : entry.locator('.finding-links [data-testid="anomaly-logs"]');
    await logsLink.click();
    await page.waitForURL(/\/logs\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('f.route')).toBe(INCIDENT_ENDPOINT.route);
    expect(url.searchParams.get('f.method')).toBe(INCIDENT_ENDPOINT.method);
    expect(url.searchParams.get('f.statusClass')).toBe('5');
    expect(url.searchParams.get('f.from')).toBe(burst!.start);
    expect(url.searchParams.get('f.to')).toBe(burst!.end);
    await page.locator('[data-testid="log-row"]').first().waitFor();
    await settled(page);
    // The explorer shows exactly the failed requests the anomaly counted.
    const statuses = await page
      .locator('[data-testid="log-row"]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-status'))));
    expect(statuses.length).toBe(burst!.errors);
    expect(new Set(statuses)).toEqual(new Set([500]));
    await page.close();
  });

  it('time charts leave out the bucket still filling, and say so', async () => {
    // "Last hour" ends now, inside the current minute: that minute is not drawn.
    const live = await open('/?lang=en');
    await live.locator('[data-testid="traffic-chart"]').waitFor();
    await settled(live);
    expect(await live.locator('[data-testid="partial-bucket-note"]').innerText()).toContain('1 min');
    await live.close();
    // The latency chart of Performance too.
    const perf = await open('/performance?lang=en');
    await perf.locator('[data-testid="partial-bucket-note"]').waitFor();
    await settled(perf);
    expect(await perf.locator('[data-testid="partial-bucket-note"]').count()).toBe(1);
    await perf.close();
    // A range of whole past minutes has no partial bucket.
    const past = await open(`/?from=${incident.range.from}&to=${incident.range.to}&lang=en`);
    await past.locator('[data-testid="traffic-chart"]').waitFor();
    await settled(past);
    expect(await past.locator('[data-testid="partial-bucket-note"]').count()).toBe(0);
    await past.close();
  });

  it('performance shows the bottlenecks the API names, with its numbers', async () => {
    const api = await data<{ bottlenecks: { method: string; route: string; severity: string; p95: number; count: number }[] }>(
      `query($range: TimeRange!) { bottlenecks(range: $range, p95ThresholdMs: 500, limit: 20) { method route severity p95 count } }`,
      { range: incident.range },
    );
    expect(api.bottlenecks.map((b) => `${b.method} ${b.route}`)).toContain('GET /api/slow');
    const page = await open(`/performance?from=${incident.range.from}&to=${incident.range.to}&lang=en&tz=UTC`);
    await page.locator('[data-testid="bottleneck"]').first().waitFor();
    await settled(page);
    const cards = page.locator('[data-testid="bottleneck"]');
    expect(await cards.count()).toBe(api.bottlenecks.length);
    for (const [i, b] of api.bottlenecks.entries()) {
      const card = cards.nth(i);
      expect(await card.getAttribute('data-route')).toBe(b.route);
      expect(await card.getAttribute('data-method')).toBe(b.method);
      expect(await card.locator('[data-severity]').getAttribute('data-severity')).toBe(b.severity);
      expect(await card.locator('[data-stat="p95"]').innerText()).toBe(fmt.ms(b.p95));
      expect(await card.locator('[data-stat="count"]').innerText()).toBe(fmt.integer(b.count));
    }
    await page.close();
  });

  it('renders every page without errors, in light and dark (screenshots)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const { name, path } of DASHBOARD_PAGES) {
        const page = await open(withParams(path, `theme=${theme}&lang=en`));
        await settled(page);
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`), fullPage: true });
        await page.close();
      }
    }
  });

  it('error heatmap cells carry the API’s counts', async () => {
    const api = await data<{ errorHeatmap: { method: string; route: string; data: { hour: number; errors: number }[] }[] }>(
      `{ errorHeatmap(range: {last: "1h"}, tz: "UTC", limit: 15) { method route data { hour errors } } }`,
    );
    const expected = api.errorHeatmap
      .flatMap((r) => r.data.filter((c) => c.errors > 0).map((c) => `${r.method} ${r.route}@${c.hour}=${c.errors}`))
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const page = await open('/errors?tz=UTC&lang=en');
    await page.locator('[data-testid="heatmap-table"] tr').first().waitFor({ state: 'attached' });
    await settled(page);
    const shown = await page
      .locator('[data-testid="heatmap-table"] tr')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.querySelector('th')?.textContent}@${r.getAttribute('data-hour')}=${r.getAttribute('data-errors')}`),
      );
    expect(shown.sort()).toEqual(expected);
    // The chart itself draws one labelled cell per non-empty (endpoint, hour).
    expect(await page.locator('[data-testid="errors-heatmap"] svg text', { hasText: /^\d+$/ }).count()).toBeGreaterThanOrEqual(
      expected.length,
    );
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
    const statuses = await page
      .locator('[data-testid="log-row"]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-status'))));
    const api = await data<{ recentLogs: { edges: unknown[] } }>(
      `query($f: LogFilter) { recentLogs(first: 500, filter: $f) { edges { cursor } } }`,
      {
        f: {
          route,
          method: url.searchParams.get('f.method'),
          service: url.searchParams.get('f.service'),
          status,
          from: new Date(Date.now() - 3_600_000).toISOString(),
        },
      },
    );
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
    // The new findings pages in Korean too, for a person to read through.
    for (const path of ['/insights', '/performance']) {
      const ko = await open(`${path}?lang=ko&theme=dark`);
      await ko.locator('.finding').first().waitFor();
      await settled(ko);
      expect(await ko.locator('.finding .badge').first().innerText()).toMatch(/심각|높음|보통|낮음/);
      await ko.screenshot({ path: join(SCREENSHOTS, `${path.slice(1)}-ko.png`), fullPage: true });
      await ko.close();
    }
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
