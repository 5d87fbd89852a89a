// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { alertLinks } from './alert-links.ts';

describe('alert drill-down links', () => {
  it('open the Logs explorer and Insights on the window of the alert, filtered like the rule', () => {
    const now = Date.parse('2026-12-05T22:00:00Z');
    const links = alertLinks(
      { service: 'shop', route: '/api/pay', method: 'POST', kind: 'SERVER_ERROR_RATE', windowSeconds: 300 },
      '2026-12-05T21:50:00Z',
      '?range=24h&lang=ko',
      now,
    );
    const logs = new URL(links.logs, 'http://x');
    expect(logs.pathname).toBe('/logs');
    expect(Object.fromEntries(logs.searchParams)).toEqual({
      lang: 'ko',
      from: '2026-12-05T21:45:00.000Z',
      to: '2026-12-05T22:00:00.000Z',
      service: 'shop',
      'f.route': '/api/pay',
      'f.method': 'POST',
      'f.statusClass': '5',
    });
    const insights = new URL(links.insights, 'http://x');
    expect(insights.pathname).toBe('/insights');
    expect(insights.searchParams.get('range')).toBeNull();
    expect(insights.searchParams.get('service')).toBe('shop');
  });
});
