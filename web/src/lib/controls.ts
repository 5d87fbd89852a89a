import { isRangePreset, type RangeSelection } from './time-range.ts';

export type Locale = 'en' | 'ko';
export type Theme = 'light' | 'dark';
export const REFRESH_INTERVALS = [0, 5, 15, 60] as const;
export type RefreshSeconds = (typeof REFRESH_INTERVALS)[number];

/** The header's global controls; they live in the URL so a view can be shared and reloaded. */
export interface Controls {
  range: RangeSelection;
  service: string | null;
  refresh: RefreshSeconds;
  tz: string;
  lang: Locale;
  theme: Theme;
}

/** What a control falls back to when the URL does not say (browser or saved preference). */
export interface ControlDefaults {
  tz: string;
  lang: Locale;
  theme: Theme;
}

export const DEFAULT_RANGE: RangeSelection = { kind: 'preset', preset: '1h' };

/** URL keys owned by the global controls; every other key belongs to the page. */
export const CONTROL_KEYS = ['range', 'from', 'to', 'service', 'refresh', 'tz', 'lang', 'theme'] as const;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseRange(params: URLSearchParams): RangeSelection {
  const preset = params.get('range');
  if (isRangePreset(preset)) return { kind: 'preset', preset };
  const from = params.get('from');
  const to = params.get('to');
  if (from && to) {
    const f = Date.parse(from);
    const t = Date.parse(to);
    if (Number.isFinite(f) && Number.isFinite(t) && f < t) {
      return { kind: 'custom', from: new Date(f).toISOString(), to: new Date(t).toISOString() };
    }
  }
  return DEFAULT_RANGE;
}

/** Reads the controls from a query string; anything missing or invalid falls back to a default. */
export function parseControls(search: string, defaults: ControlDefaults): Controls {
  const params = new URLSearchParams(search);
  const refresh = Number(params.get('refresh') ?? 0);
  const lang = params.get('lang');
  const theme = params.get('theme');
  const tz = params.get('tz');
  const service = params.get('service')?.trim();
  return {
    range: parseRange(params),
    service: service ? service : null,
    refresh: (REFRESH_INTERVALS as readonly number[]).includes(refresh) ? (refresh as RefreshSeconds) : 0,
    tz: tz && isValidTimeZone(tz) ? tz : defaults.tz,
    lang: lang === 'ko' || lang === 'en' ? lang : defaults.lang,
    theme: theme === 'dark' || theme === 'light' ? theme : defaults.theme,
  };
}

/**
 * Applies a change of controls to a query string, keeping the page's own keys. Defaults of the
 * range, service and refresh are left out to keep shared links short; language, theme and time
 * zone are written once chosen, because the recipient's browser defaults may differ.
 */
export function applyControls(search: string, patch: Partial<Controls>): URLSearchParams {
  const params = new URLSearchParams(search);
  if (patch.range) {
    params.delete('range');
    params.delete('from');
    params.delete('to');
    if (patch.range.kind === 'preset') {
      if (patch.range.preset !== '1h') params.set('range', patch.range.preset);
    } else {
      params.set('from', patch.range.from);
      params.set('to', patch.range.to);
    }
  }
  if ('service' in patch) {
    if (patch.service) params.set('service', patch.service);
    else params.delete('service');
  }
  if (patch.refresh !== undefined) {
    if (patch.refresh) params.set('refresh', String(patch.refresh));
    else params.delete('refresh');
  }
  if (patch.tz) params.set('tz', patch.tz);
  if (patch.lang) params.set('lang', patch.lang);
  if (patch.theme) params.set('theme', patch.theme);
  return params;
}

/** Only the global controls of a query string: what navigation carries from page to page. */
export function controlParams(search: string): URLSearchParams {
  const from = new URLSearchParams(search);
  const out = new URLSearchParams();
  for (const key of CONTROL_KEYS) {
    const value = from.get(key);
    if (value !== null) out.set(key, value);
  }
  return out;
}

/** A link to `path` that keeps the global controls and adds the page's own parameters. */
export function hrefWithControls(path: string, search: string, extra: Record<string, string | number | null | undefined> = {}): string {
  const params = controlParams(search);
  for (const [key, value] of Object.entries(extra)) {
    // null removes a carried control (e.g. `range` when a link sets its own from/to).
    if (value === null) params.delete(key);
    else if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
