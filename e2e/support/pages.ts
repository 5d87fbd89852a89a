import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

const jsErrors = new WeakMap<Page, string[]>();

/** Opens a dashboard URL in a new tab, recording uncaught page errors for `settled`. */
export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  jsErrors.set(page, errors);
  await page.goto(url);
  return page;
}

/** Waits until no panel is loading; fails on an error state or an uncaught page error. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('main') !== null && document.querySelectorAll('.state-loading').length === 0,
    null,
    { timeout: 20_000 },
  );
  const errorStates = await page.locator('[data-state="error"]').allInnerTexts();
  expect(errorStates, 'panels in an error state').toEqual([]);
  expect(jsErrors.get(page) ?? []).toEqual([]);
}

/** Every page of the dashboard, with a name for screenshots. */
export const DASHBOARD_PAGES = [
  { name: 'overview', path: '/' },
  { name: 'endpoints', path: '/endpoints' },
  { name: 'endpoint-detail', path: '/endpoints/detail?route=/api/orders&method=POST&endpointService=shop-api' },
  { name: 'errors', path: '/errors' },
  { name: 'performance', path: '/performance' },
  { name: 'insights', path: '/insights' },
  { name: 'live', path: '/live' },
  { name: 'ai', path: '/ai' },
  { name: 'pipeline', path: '/pipeline' },
  { name: 'logs', path: '/logs' },
  { name: 'alerts', path: '/alerts' },
] as const;

/** The path with more query parameters. */
export const withParams = (path: string, params: string) => `${path}${path.includes('?') ? '&' : '?'}${params}`;
