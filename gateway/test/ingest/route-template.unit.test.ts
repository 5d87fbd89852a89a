import { describe, expect, it } from 'vitest';
import { templateRoute } from '../../src/ingest/route-template.ts';

describe('templateRoute', () => {
  it.each([
    ['/api/users/42', '/api/users/:id'],
    ['/api/users/42/orders/7', '/api/users/:id/orders/:id'],
    ['/api/users', '/api/users'],
    ['/api/users/', '/api/users'],
    ['/', '/'],
    ['', '/'],
    ['/api/users/42?expand=true#top', '/api/users/:id'],
    ['/api/items/3fa85f64-5717-4562-b3fc-2c963f66afa6', '/api/items/:uuid'],
    ['/api/items/3FA85F64-5717-4562-B3FC-2C963F66AFA6/parts', '/api/items/:uuid/parts'],
    ['/objects/5f2b9c1e8a4d3b2c1a0f9e8d', '/objects/:hash'],
    ['/commits/d41d8cd98f00b204e9800998ecf8427e', '/commits/:hash'],
    ['/reset/eyJhbGciOiJIUzI1NiJ9abc123XYZ', '/reset/:token'],
    ['/api/deadbeef', '/api/deadbeef'],
    ['/api/v2/products', '/api/v2/products'],
    ['/static/app.min.js', '/static/app.min.js'],
    ['/a/b/c/d/e/f/g/h/i/j/k/l/m/n', '/a/b/c/d/e/f/g/h/i/j/k/l/*'],
  ])('%s -> %s', (path, route) => {
    expect(templateRoute(path)).toBe(route);
  });
});
