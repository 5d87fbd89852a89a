import { isValidTimeZone, type ControlDefaults, type Locale, type Theme } from './controls.ts';

const KEY = 'logpulse.preferences';

function readStored(): Partial<ControlDefaults> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return typeof value === 'object' && value !== null ? (value as Partial<ControlDefaults>) : {};
  } catch {
    return {};
  }
}

/** Language, theme and zone used when the URL does not name them: last choice, else the browser's. */
export function browserDefaults(): ControlDefaults {
  const stored = readStored();
  const browserLang: Locale = (navigator.languages ?? [navigator.language]).some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
  const browserTheme: Theme = window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  const browserTz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return {
    lang: stored.lang === 'ko' || stored.lang === 'en' ? stored.lang : browserLang,
    theme: stored.theme === 'dark' || stored.theme === 'light' ? stored.theme : browserTheme,
    tz: typeof stored.tz === 'string' && isValidTimeZone(stored.tz) ? stored.tz : browserTz,
  };
}

export function rememberPreferences(patch: Partial<ControlDefaults>): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...readStored(), ...patch }));
  } catch {
    // Private windows may refuse storage; the URL still carries the choice.
  }
}
