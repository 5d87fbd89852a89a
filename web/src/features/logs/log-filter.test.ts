// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { activeFilters, parseLogFilter } from './log-filter.ts';

describe('logs explorer filter from the URL', () => {
  it('reads every filter a drill-down can set', () => {
    const params = new URLSearchParams({
      'f.service': 'shop',
      'f.route': '/api/users/:id',
      'f.method': 'get',
      'f.status': '404',
      'f.statusClass': '4',
      'f.path': 'users',
      'f.minLatency': '250',
      'f.from': '2026-11-25T10:00:00Z',
      'f.to': '2026-11-25T11:00:00Z',
    });
    expect(parseLogFilter(params)).toEqual({
      service: 'shop',
      route: '/api/users/:id',
      method: 'GET',
      status: 404,
      statusClass: 4,
      pathContains: 'users',
      minLatencyMs: 250,
      from: '2026-11-25T10:00:00.000Z',
      to: '2026-11-25T11:00:00.000Z',
    });
  });

  it('falls back to the header’s service and range, and the page’s own values win', () => {
    const defaults = { service: 'auth', from: '2026-11-25T09:00:00.000Z' };
    expect(parseLogFilter(new URLSearchParams(), defaults)).toEqual({ service: 'auth', from: '2026-11-25T09:00:00.000Z' });
    expect(parseLogFilter(new URLSearchParams('f.service=shop&f.from=2026-11-25T10:00:00Z'), defaults)).toEqual({ service: 'shop', from: '2026-11-25T10:00:00.000Z' });
  });

  it('drops invalid values rather than sending them', () => {
    const params = new URLSearchParams('f.status=abc&f.statusClass=9&f.method=G%20T&f.minLatency=-3&f.from=soon');
    expect(parseLogFilter(params)).toEqual({});
  });

  it('lists the active filters for the chips', () => {
    expect(activeFilters(new URLSearchParams('f.status=500&q=x&f.route=/a'))).toEqual([
      { key: 'f.route', value: '/a' },
      { key: 'f.status', value: '500' },
    ]);
  });
});
