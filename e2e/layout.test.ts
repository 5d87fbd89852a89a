import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, type TestGateway } from '@logpulse/gateway/test-support/gateway';
import { contrastFailures, englishInKorean, LATIN_IN_KOREAN, layoutReport } from './support/audits.ts';
import { launchChromium } from './support/browser.ts';
import { buildDataset } from './support/dataset.ts';
import { DASHBOARD_PAGES, openPage, settled, withParams } from './support/pages.ts';
import { startSeededGateway } from './support/seeded-gateway.ts';
import { ROOT } from './support/web-build.ts';

// What a person sees, measured: every page on a 390×844 phone without text cut off or on top of
// other text, WCAG AA contrast in both themes, and no English left in Korean mode. Screenshots go
// to e2e/screenshots/ (git-ignored).

const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');
const PHONE = { width: 390, height: 844 };

let gateway: TestGateway;
let browser: Browser;

beforeAll(async () => {
  ({ gateway } = await startSeededGateway());
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

async function withContext<T>(options: Parameters<Browser['newContext']>[0], run: (context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', ...options });
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

describe('on a 390×844 phone', () => {
  it('every page fits: nothing runs off the right edge, no text on top of other text', async () => {
    await withContext({ viewport: PHONE, isMobile: true, hasTouch: true }, async (context) => {
      const problems: string[] = [];
      for (const { name, path } of DASHBOARD_PAGES) {
        const page = await openPage(context, `${gateway.url}${withParams(path, 'lang=en&theme=light')}`);
        await settled(page);
        await page.screenshot({ path: join(SCREENSHOTS, `phone-${name}.png`), fullPage: true });
        const report = await layoutReport(page);
        if (report.pageOverflow > 0) problems.push(`${name}: page scrolls sideways by ${report.pageOverflow} px`);
        problems.push(...report.overlaps.map((o) => `${name}: ${o}`), ...report.cutOff.map((c) => `${name}: ${c}`));
        await page.close();
      }
      expect(problems).toEqual([]);
    });
  });

  it('log rows keep the path readable in Live logs and the Logs explorer', async () => {
    await withContext({ viewport: PHONE, isMobile: true, hasTouch: true }, async (context) => {
      for (const path of ['/logs', '/live']) {
        const page = await openPage(context, `${gateway.url}${path}?lang=en`);
        if (path === '/live') {
          // Live logs shows what arrives from now on: send a few records with long paths.
          await page.locator('.live-dot-connected').waitFor({ timeout: 15_000 });
          const records = buildDataset(Date.now(), 5)
            .slice(0, 5)
            .map((r, i) => ({
              ...r,
              timestamp: new Date().toISOString(),
              path: `/api/catalogue/products/${1000 + i}/reviews?page=2&sort=newest`,
            }));
          expect((await gateway.ingest(jsonLines(records))).status).toBe(200);
        }
        await page.locator('[data-testid="log-row"]').first().waitFor({ timeout: 20_000 });
        await settled(page);
        const rows = await page.locator('[data-testid="log-row"] .log-line').evaluateAll((lines) =>
          lines.slice(0, 20).map((line) => {
            const box = line.getBoundingClientRect();
            const part = (selector: string) => {
              const el = line.querySelector(selector)!;
              const r = el.getBoundingClientRect();
              return { left: r.left, right: r.right, width: r.width, top: r.top, bottom: r.bottom };
            };
            return {
              row: { left: box.left, right: box.right, width: box.width },
              path: part('.path'),
              status: part('.status'),
              method: part('.method'),
            };
          }),
        );
        expect(rows.length).toBeGreaterThan(0);
        for (const r of rows) {
          // The path gets at least 40 % of the line, and every key column is inside the viewport.
          expect(r.path.width, path).toBeGreaterThanOrEqual(r.row.width * 0.4);
          for (const part of [r.path, r.status, r.method]) {
            expect(part.left).toBeGreaterThanOrEqual(r.row.left - 0.5);
            expect(part.right).toBeLessThanOrEqual(Math.min(r.row.right, PHONE.width) + 0.5);
          }
        }
        await page.close();
      }
    });
  });
});

describe('contrast (WCAG AA) of every text', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`in the ${theme} theme`, async () => {
      await withContext({ viewport: { width: 1440, height: 960 } }, async (context) => {
        const problems: string[] = [];
        for (const { name, path } of DASHBOARD_PAGES) {
          const page = await openPage(context, `${gateway.url}${withParams(path, `lang=en&theme=${theme}&tz=UTC`)}`);
          await settled(page);
          // Measured down the whole page, one screenful at a time (the check reads what is painted).
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          for (let y = 0; y < height; y += 900) {
            await page.evaluate((top) => window.scrollTo(0, top), y);
            for (const f of await contrastFailures(page))
              problems.push(`${name}: "${f.text}" ${f.ratio}:1 < ${f.required}:1 (${f.color} on ${f.background})`);
          }
          await page.close();
        }
        expect([...new Set(problems)]).toEqual([]);
      });
    });
  }

  it('the Errors page ends with its content (the heatmap’s accessible table takes no room)', async () => {
    await withContext({ viewport: { width: 1440, height: 960 } }, async (context) => {
      const page = await openPage(context, `${gateway.url}/errors?lang=en&theme=dark`);
      await page.locator('[data-testid="heatmap-table"] tr').first().waitFor({ state: 'attached' });
      await settled(page);
      const { scrollHeight, contentBottom, viewport } = await page.evaluate(() => {
        const panels = [...document.querySelectorAll('main .panel')].map((p) => p.getBoundingClientRect().bottom + window.scrollY);
        return { scrollHeight: document.documentElement.scrollHeight, contentBottom: Math.max(...panels), viewport: window.innerHeight };
      });
      // The page is a screen tall at least; below its last panel only the content's padding.
      expect(scrollHeight).toBeLessThanOrEqual(Math.max(viewport, contentBottom + 80));
      await page.close();
    });
  });
});

describe('Korean mode', () => {
  it('shows no English outside data on any page', async () => {
    await withContext({ viewport: { width: 1440, height: 960 }, locale: 'ko-KR' }, async (context) => {
      const problems: string[] = [];
      for (const { name, path } of DASHBOARD_PAGES) {
        const page = await openPage(context, `${gateway.url}${withParams(path, 'lang=ko&theme=dark')}`);
        if (name === 'ai') {
          // An analysis, so its labels and evidence are on the page too.
          await page.locator('[data-testid="ai-analyze"]').click();
          await page.locator('[data-testid="ai-result"] .evidence li').first().waitFor({ timeout: 30_000 });
        }
        await settled(page);
        problems.push(...(await englishInKorean(page, LATIN_IN_KOREAN)).map((p) => `${name}: ${p}`));
        await page.close();
      }
      expect([...new Set(problems)]).toEqual([]);
    });
  });
});
