// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createFormatters } from '../lib/format.ts';
import { en } from './en.ts';
import { createTranslate } from './index.tsx';
import { ko } from './ko.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('Korean translates every English label with the same placeholders', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ko[key]), key).toEqual(placeholders(en[key]));
      expect(ko[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders, formatting numbers for the locale', () => {
    const t = createTranslate('ko', createFormatters('ko', 'UTC'));
    expect(t('endpoints.count', { count: 12345 })).toBe('엔드포인트 12,345개');
    expect(t('nav.overview')).toBe('개요');
    const tEn = createTranslate('en', createFormatters('en', 'UTC'));
    expect(tEn('controls.refresh.every', { seconds: 15 })).toBe('Every 15s');
  });
});
