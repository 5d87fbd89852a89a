/**
 * `tsx scripts/screenshots.ts [dashboard URL]` — the README's pictures, taken from a running
 * dashboard (default http://localhost:8000, e.g. a fresh `npm start` after its backfill): the
 * overview in English/light at 1440 px, in Korean/dark, and on a 390×844 phone. Writes docs/*.png.
 * Uses Debian's Chromium (CHROMIUM_PATH to override).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const base = (process.argv[2] ?? 'http://localhost:8000').replace(/\/$/, '');
const docs = fileURLToPath(new URL('../docs', import.meta.url));
const shots = [
  { file: 'overview.png', params: 'lang=en&theme=light', viewport: { width: 1440, height: 1000 }, fullPage: true },
  { file: 'overview-ko-dark.png', params: 'lang=ko&theme=dark', viewport: { width: 1440, height: 1000 }, fullPage: true },
  { file: 'overview-phone.png', params: 'lang=en&theme=light', viewport: { width: 390, height: 844 }, fullPage: false },
];

/** Until every panel has loaded and the charts have drawn. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('main') !== null && document.querySelectorAll('.state-loading').length === 0, null, { timeout: 30_000 });
  await page.locator('[data-testid="traffic-chart"] svg').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const shot of shots) {
    const context = await browser.newContext({ viewport: shot.viewport, locale: shot.params.includes('lang=ko') ? 'ko-KR' : 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/?${shot.params}`);
    await settled(page);
    await page.screenshot({ path: join(docs, shot.file), fullPage: shot.fullPage });
    console.log(`wrote docs/${shot.file}`);
    await context.close();
  }
} finally {
  await browser.close();
}
