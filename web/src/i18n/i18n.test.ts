// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFormatters } from '../lib/format.ts';
import { en, type Message } from './en.ts';
import { createTranslate } from './index.tsx';
import { ko } from './ko.ts';

const forms = (m: Message) => (typeof m === 'string' ? [m] : Object.values(m));
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const SRC = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gql' || e.name === 'i18n' ? [] : sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('translations', () => {
  it('Korean translates every English label with the same placeholders', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const expected = placeholders(typeof en[key] === 'string' ? en[key] : en[key].other);
      for (const form of [...forms(en[key]), ...forms(ko[key])]) {
        expect(placeholders(form), key).toEqual(expected);
        expect(form.trim(), key).not.toBe('');
      }
    }
  });

  it('has no label the dashboard never shows', () => {
    const code = sources(SRC).join('\n');
    // Keys built from a prefix and a value, e.g. t(`anomaly.kind.${a.kind}`).
    const prefixes = [...code.matchAll(/`([\w.]+\.)\$\{/g)].map((m) => m[1]!);
    const unused = Object.keys(en).filter((key) => !code.includes(`'${key}'`) && !prefixes.some((p) => key.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it('fills placeholders, formatting numbers for the locale', () => {
    const t = createTranslate('ko', createFormatters('ko', 'UTC'));
    expect(t('endpoints.count', { count: 12345 })).toBe('엔드포인트 12,345개');
    expect(t('nav.overview')).toBe('개요');
    const tEn = createTranslate('en', createFormatters('en', 'UTC'));
    expect(tEn('controls.refresh.every', { seconds: 15 })).toBe('Every 15s');
  });

  it('chooses plural forms with the locale’s plural rules', () => {
    const tEn = createTranslate('en', createFormatters('en', 'UTC'));
    expect(tEn('endpoints.count', { count: 1 })).toBe('1 endpoint');
    expect(tEn('endpoints.count', { count: 0 })).toBe('0 endpoints');
    expect(tEn('recommendation.affected', { count: 1200 })).toBe('1,200 requests concerned');
    expect(tEn('recommendation.affected', { count: 1 })).toBe('1 request concerned');
    const tKo = createTranslate('ko', createFormatters('ko', 'UTC'));
    expect(tKo('recommendation.affected', { count: 1 })).toBe('관련 요청 1건');
  });
});
