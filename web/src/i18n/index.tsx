import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Locale } from '../lib/controls.ts';
import { createFormatters, type Formatters } from '../lib/format.ts';
import { en, type Message, type MessageKey } from './en.ts';
import { ko } from './ko.ts';

const MESSAGES: Record<Locale, Record<MessageKey, Message>> = { en, ko };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * Looks a label up and fills its {placeholders}; numbers are formatted for the locale. A plural
 * label picks its form with the locale's plural rules for the numeric `count` parameter.
 */
export function createTranslate(locale: Locale, fmt: Formatters): Translate {
  const messages = MESSAGES[locale];
  const plurals = new Intl.PluralRules(locale);
  return (key, params) => {
    const message = messages[key];
    const count = params?.count;
    const text =
      typeof message === 'string' ? message : (message[plurals.select(typeof count === 'number' ? count : Number.NaN)] ?? message.other);
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? fmt.integer(value) : value;
    });
  };
}

export interface I18n {
  locale: Locale;
  t: Translate;
  fmt: Formatters;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ locale, timeZone, children }: { locale: Locale; timeZone: string; children: ReactNode }) {
  const value = useMemo(() => {
    const fmt = createFormatters(locale, timeZone);
    return { locale, fmt, t: createTranslate(locale, fmt) };
  }, [locale, timeZone]);
  return <I18nContext value={value}>{children}</I18nContext>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside <I18nProvider>');
  return value;
}

export type { Message, MessageKey };
