// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { matchesSearch, sortRows } from './sort.ts';

describe('table sorting and search', () => {
  const rows = [
    { route: '/b', p95: 20 },
    { route: '/a', p95: null },
    { route: '/c', p95: 5 },
    { route: '/d', p95: 20 },
  ];

  it('sorts numbers both ways and keeps missing values last', () => {
    expect(sortRows(rows, (r) => r.p95, 'desc').map((r) => r.route)).toEqual(['/b', '/d', '/c', '/a']);
    expect(sortRows(rows, (r) => r.p95, 'asc').map((r) => r.route)).toEqual(['/c', '/b', '/d', '/a']);
  });

  it('sorts text', () => {
    expect(sortRows(rows, (r) => r.route, 'asc').map((r) => r.route)).toEqual(['/a', '/b', '/c', '/d']);
  });

  it('matches every search term, case-insensitively, in any field', () => {
    expect(matchesSearch(['GET', '/api/users/:id', 'shop'], 'get users')).toBe(true);
    expect(matchesSearch(['GET', '/api/users/:id', 'shop'], 'post users')).toBe(false);
    expect(matchesSearch(['GET', '/x'], '  ')).toBe(true);
  });
});
