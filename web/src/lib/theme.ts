import type { Theme } from './controls.ts';

/** Colour tokens of one theme: the CSS variables and the chart theme both come from here. */
export interface Palette {
  bg: string;
  surface: string;
  surfaceAlt: string;
  border: string;
  text: string;
  textMuted: string;
  accent: string;
  accentText: string;
  ok: string;
  info: string;
  warn: string;
  error: string;
  grid: string;
  series: readonly string[];
  heat: readonly [string, string];
}

/**
 * Text in accent, status and severity colours must reach WCAG AA (4.5:1) on the surfaces and on
 * their own 10–14 % tints (badges, active buttons, 5xx rows): the browser tests measure it.
 */
export const PALETTES: Record<Theme, Palette> = {
  light: {
    bg: '#f4f6f9',
    surface: '#ffffff',
    surfaceAlt: '#eef1f5',
    border: '#d9dee6',
    text: '#18202c',
    textMuted: '#566173',
    accent: '#1d52bb',
    accentText: '#ffffff',
    ok: '#116b3a',
    info: '#0f7f99',
    warn: '#8a5300',
    error: '#b02a2a',
    grid: '#e3e7ed',
    series: ['#2360d8', '#cc3333', '#b86e00', '#7b4fc9', '#0f7f99', '#17864a'],
    heat: ['#fde7d4', '#b3260a'],
  },
  dark: {
    bg: '#0e1217',
    surface: '#161b22',
    surfaceAlt: '#1d242d',
    border: '#2b3440',
    text: '#e4e8ee',
    textMuted: '#9ba6b5',
    accent: '#6b9cff',
    accentText: '#0e1217',
    ok: '#4cc38a',
    info: '#3fb8d4',
    warn: '#eaa53c',
    error: '#ff6b6b',
    grid: '#252d38',
    series: ['#6b9cff', '#ff6b6b', '#eaa53c', '#b48cff', '#3fb8d4', '#4cc38a'],
    heat: ['#3a2a22', '#ff8a5c'],
  },
};

const CSS_VARS: Record<Exclude<keyof Palette, 'series' | 'heat'>, string> = {
  bg: '--bg',
  surface: '--surface',
  surfaceAlt: '--surface-alt',
  border: '--border',
  text: '--text',
  textMuted: '--text-muted',
  accent: '--accent',
  accentText: '--accent-text',
  ok: '--ok',
  info: '--info',
  warn: '--warn',
  error: '--error',
  grid: '--grid',
};

/** Puts a theme's tokens on the document as CSS variables. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  const palette = PALETTES[theme];
  for (const [key, variable] of Object.entries(CSS_VARS) as [keyof typeof CSS_VARS, string][]) {
    root.style.setProperty(variable, palette[key]);
  }
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
}

/** Colour for an HTTP status (class 2–5), from the palette. */
export function statusColor(status: number, palette: Palette): string {
  if (status >= 500) return palette.error;
  if (status >= 400) return palette.warn;
  if (status >= 300) return palette.info;
  return palette.ok;
}
