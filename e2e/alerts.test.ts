import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { waitFor } from '@logpulse/testkit/wait-for';
import { startWebhookReceiver, type WebhookReceiver } from '@logpulse/gateway/test-support/alert-receivers';
import { englishInKorean, LATIN_IN_KOREAN } from './support/audits.ts';
import { launchChromium } from './support/browser.ts';
import { ensureWebBuild, ROOT, WEB_DIST } from './support/web-build.ts';

// The Alerts page in real Chromium: a rule created through its form fires on an incident sent
// through the real ingest route, the header badge and the page show it (in English and Korean),
// and the webhook receiver gets the signed notification.

const SECRET = 'whsec-e2e-0123456789abcdef';
const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');
let gateway: TestGateway;
let hook: WebhookReceiver;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  ensureWebBuild();
  hook = await startWebhookReceiver(SECRET);
  gateway = await startTestGateway('postgres', {
    env: { WEB_DIST, ALERTS_TICK_MS: '100', ALERTS_LEASE_MS: '1000', ALERTS_RETRY_BASE_MS: '100' },
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'en-US', timezoneId: 'UTC' });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await gateway?.close();
  await hook?.close();
});

async function open(path: string): Promise<Page & { jsErrors: string[] }> {
  const page = (await context.newPage()) as Page & { jsErrors: string[] };
  page.jsErrors = [];
  page.on('pageerror', (e) => page.jsErrors.push(e.message));
  await page.goto(`${gateway.url}${path}`);
  await page.waitForFunction(
    () => document.querySelector('main') !== null && document.querySelectorAll('.state-loading').length === 0,
    null,
    { timeout: 20_000 },
  );
  return page;
}

describe('Alerts page in Chromium', () => {
  it('creates a channel and a rule through the forms; the rule fires on an ingested incident and shows everywhere', async () => {
    const page = await open('/alerts?lang=en&theme=light');
    expect(await page.locator('[data-testid="firing-badge"]').count()).toBe(0);

    // A channel, through its form (the secret is write-only: the page only says "signed").
    const channelForm = page.locator('[data-testid="channel-form"]');
    await channelForm.locator('input[name="name"]').fill('ops hook');
    await channelForm.locator('input[name="target"]').fill(hook.url);
    await channelForm.locator('input[name="secret"]').fill(SECRET);
    await channelForm.locator('button[type="submit"]').click();
    await page.locator('[data-testid="alert-channels"]', { hasText: 'ops hook' }).waitFor();
    expect(await page.locator('[data-testid="alert-channels"]').innerText()).toContain('signed');
    expect(await page.content()).not.toContain(SECRET);

    // The incident first: a new rule is evaluated as soon as it exists.
    const now = new Date().toISOString();
    const records = Array.from({ length: 60 }, (_, i) => ({
      timestamp: now,
      path: '/api/cart',
      method: 'POST',
      status: i < 30 ? 502 : 200,
      latency_ms: 40,
      user_agent: 'e2e',
      ip_address: '10.1.1.1',
      service: 'e2e-shop',
      request_id: `${now}-${i}`,
    }));
    expect((await gateway.ingest(jsonLines(records))).status).toBe(200);

    const form = page.locator('[data-testid="rule-form"]');
    await form.locator('input[name="name"]').fill('e2e shop 5xx');
    await form.locator('select[name="kind"]').selectOption('SERVER_ERROR_RATE');
    // A bad threshold (500 %) is refused with the API's message, shown by the form.
    await form.locator('input[name="threshold"]').fill('500');
    await form.locator('input[name="service"]').fill('e2e-shop');
    await form.locator('input[name="windowMinutes"]').fill('2');
    await form.locator('input[type="checkbox"][name="channelIds"]').check();
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator('[data-testid="rule-form-error"]').innerText()).toMatch(/threshold: a rate threshold is a ratio/);
    await form.locator('input[name="threshold"]').fill('20');
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="alert-rules"] tr[data-rule="e2e shop 5xx"]').waitFor();

    await waitFor('the firing notification', () => hook.accepted.some((r) => r.kind === 'firing'));
    await page.reload();
    await page.locator('[data-testid="firing-badge"]').waitFor();
    expect(await page.locator('[data-testid="firing-badge"]').innerText()).toBe('1 firing');
    const firing = page.locator('[data-testid="firing-now"] li[data-rule="e2e shop 5xx"]');
    await firing.waitFor();
    expect(await firing.innerText()).toContain('50.0 %');
    const logsHref = (await firing.locator('a', { hasText: 'Logs of this window' }).getAttribute('href'))!;
    const logsUrl = new URL(logsHref, gateway.url);
    expect(logsUrl.pathname).toBe('/logs');
    expect(logsUrl.searchParams.get('service')).toBe('e2e-shop');
    expect(logsUrl.searchParams.get('f.statusClass')).toBe('5');
    const insightsHref = (await firing.locator('a', { hasText: 'Insights of this window' }).getAttribute('href'))!;
    const insightsUrl = new URL(insightsHref, gateway.url);
    expect(insightsUrl.pathname).toBe('/insights');
    expect(insightsUrl.searchParams.get('service')).toBe('e2e-shop');
    expect(insightsUrl.searchParams.get('from')).toBeTruthy();
    await page.locator('[data-testid="alert-history"]', { hasText: 'Fired' }).waitFor();
    expect(await page.locator('[data-testid="alert-history"]').innerText()).toMatch(/ops hook: sent/);
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts-light.png'), fullPage: true });
    expect(page.jsErrors).toEqual([]);

    // The badge is in the header of every page; Korean labels.
    const ko = await open('/?lang=ko&theme=dark');
    await ko.locator('[data-testid="firing-badge"]').waitFor();
    expect(await ko.locator('[data-testid="firing-badge"]').innerText()).toBe('발생 중 1건');
    expect(await ko.locator('a[data-page="/alerts"]').innerText()).toBe('알림');
    await ko.locator('[data-testid="firing-badge"]').click();
    await ko.locator('[data-testid="firing-now"]').waitFor();
    // The page in full (firing now, rules, history, channels) in Korean: conditions, values and
    // history come from the dictionaries; names the user typed are data.
    await ko.locator('[data-testid="alert-history"]').waitFor();
    expect(await englishInKorean(ko, LATIN_IN_KOREAN)).toEqual([]);
    expect(await ko.locator('[data-testid="alert-rules"] tr[data-rule="e2e shop 5xx"]').innerText()).toContain(
      '2분 동안 5xx 비율 > 20.0 % (e2e-shop)',
    );
    await ko.screenshot({ path: join(SCREENSHOTS, 'alerts-dark-ko.png'), fullPage: true });
    expect(ko.jsErrors).toEqual([]);
    expect(hook.badSignatures).toBe(0);
  });

  it('creates an ingest lag rule through the form: a threshold in seconds, a service and no route or method', async () => {
    const page = await open('/alerts?lang=en&theme=light');
    const form = page.locator('[data-testid="rule-form"]');
    await form.locator('input[name="name"]').fill('e2e late logs');
    await form.locator('select[name="kind"]').selectOption('INGEST_LAG');
    expect(await form.locator('label', { has: page.locator('input[name="threshold"]') }).innerText()).toMatch(/\(s\)/);
    expect(await form.locator('input[name="route"]').count()).toBe(0);
    expect(await form.locator('input[name="method"]').count()).toBe(0);
    await form.locator('input[name="threshold"]').fill('120');
    await form.locator('input[name="service"]').fill('e2e-late');
    await form.locator('button[type="submit"]').click();
    const row = page.locator('[data-testid="alert-rules"] tr[data-rule="e2e late logs"]');
    await row.waitFor();
    expect(await row.innerText()).toContain('p95 ingest lag > 120 s over 5 min (e2e-late)');
    expect(page.jsErrors).toEqual([]);

    const ko = await open('/alerts?lang=ko&theme=light');
    expect(await ko.locator('[data-testid="rule-form"] select[name="kind"] option[value="INGEST_LAG"]').innerText()).toBe(
      '수집 지연 초과 (초)',
    );
  });
});
