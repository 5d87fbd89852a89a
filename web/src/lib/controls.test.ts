// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { applyControls, controlParams, hrefWithControls, parseControls } from './controls.ts';

const defaults = { tz: 'UTC', lang: 'en', theme: 'light' } as const;

describe('parseControls', () => {
  it('falls back to defaults for a bare URL', () => {
    expect(parseControls('', defaults)).toEqual({ range: { kind: 'preset', preset: '1h' }, service: null, refresh: 0, ...defaults });
  });

  it('reads every control from the query string', () => {
    const c = parseControls('?range=7d&service=shop&refresh=15&tz=Asia%2FSeoul&lang=ko&theme=dark', defaults);
    expect(c).toEqual({ range: { kind: 'preset', preset: '7d' }, service: 'shop', refresh: 15, tz: 'Asia/Seoul', lang: 'ko', theme: 'dark' });
  });

  it('reads a custom range and normalises it to ISO instants', () => {
    const c = parseControls('from=2026-11-25T10:00:00%2B09:00&to=2026-11-25T12:00:00Z', defaults);
    expect(c.range).toEqual({ kind: 'custom', from: '2026-11-25T01:00:00.000Z', to: '2026-11-25T12:00:00.000Z' });
  });

  it('ignores invalid values instead of breaking the page', () => {
    const c = parseControls('range=2y&refresh=7&tz=Mars%2FOlympus&lang=fr&theme=neon&from=2026-11-25T12:00Z&to=2026-11-25T10:00Z', defaults);
    expect(c).toEqual({ range: { kind: 'preset', preset: '1h' }, service: null, refresh: 0, ...defaults });
  });
});

describe('applyControls', () => {
  it('round-trips through the URL and keeps the page’s own parameters', () => {
    const params = applyControls('q=orders&sort=p95', { range: { kind: 'custom', from: '2026-11-25T01:00:00.000Z', to: '2026-11-25T02:00:00.000Z' }, service: 'shop', lang: 'ko' });
    expect(params.get('q')).toBe('orders');
    expect(parseControls(params.toString(), defaults)).toMatchObject({ range: { kind: 'custom', from: '2026-11-25T01:00:00.000Z' }, service: 'shop', lang: 'ko' });
  });

  it('leaves defaults out so shared links stay short', () => {
    const params = applyControls('range=7d&service=shop&refresh=5', { range: { kind: 'preset', preset: '1h' }, service: null, refresh: 0 });
    expect(params.toString()).toBe('');
  });

  it('switching from a custom range to a preset drops from/to', () => {
    const params = applyControls('from=2026-11-25T01:00:00Z&to=2026-11-25T02:00:00Z', { range: { kind: 'preset', preset: '24h' } });
    expect(params.toString()).toBe('range=24h');
  });
});

describe('navigation links', () => {
  it('carry the global controls but not the page’s filters', () => {
    expect(controlParams('range=6h&q=x&f.status=500&lang=ko').toString()).toBe('range=6h&lang=ko');
    expect(hrefWithControls('/logs', 'range=6h&q=x', { 'f.status': 500, 'f.route': null })).toBe('/logs?range=6h&f.status=500');
    expect(hrefWithControls('/errors', '')).toBe('/errors');
  });
});

describe('links with their own time window', () => {
  it('drop the carried preset so the window applies', () => {
    const href = hrefWithControls('/errors', 'range=24h&lang=ko', { range: null, from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T10:05:00.000Z' });
    const controls = parseControls(href.split('?')[1]!, defaults);
    expect(controls.range).toEqual({ kind: 'custom', from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T10:05:00.000Z' });
    expect(controls.lang).toBe('ko');
  });
});
