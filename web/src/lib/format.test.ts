// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createFormatters } from './format.ts';

describe('formatters', () => {
  const en = createFormatters('en', 'UTC');
  const ko = createFormatters('ko', 'Asia/Seoul');

  it('formats counts compactly for each locale', () => {
    expect(en.count(999)).toBe('999');
    expect(en.count(1234)).toBe('1.2k');
    expect(en.count(1_234_567)).toBe('1.2M');
    expect(ko.count(1234)).toBe('1.2천');
    expect(ko.count(12_345)).toBe('1.2만');
    expect(en.integer(12345)).toBe('12,345');
  });

  it('formats latencies with sensible precision and units', () => {
    expect(en.ms(12.54)).toBe('12.5 ms');
    expect(en.ms(0.423)).toBe('0.42 ms');
    expect(en.ms(840.4)).toBe('840 ms');
    expect(en.ms(18_400)).toBe('18.4s');
    expect(en.ms(300_000)).toBe('5m');
    expect(en.ms(null)).toBe('–');
    expect(ko.ms(12.54)).toBe('12.5ms');
    expect(ko.ms(18_400)).toBe('18.4초');
  });

  it('formats ratios as percentages and changes with a sign', () => {
    expect(en.percent(0.0342)).toBe('3.4%');
    expect(en.percent(undefined)).toBe('–');
    expect(en.change(0.125)).toBe('+12.5%');
    expect(en.change(-0.03)).toBe('-3.0%');
    expect(en.signed(1.25, 1)).toBe('+1.3');
  });

  it('formats dates in the chosen time zone', () => {
    expect(en.dateTime('2026-11-25T10:00:00Z')).toBe('11/25/2026, 10:00:00');
    expect(ko.dateTime('2026-11-25T10:00:00Z')).toBe('2026. 11. 25. 19:00:00');
    expect(ko.axisTime('2026-11-25T10:00:00Z', false)).toBe('19:00');
    expect(en.hour(9)).toBe('09:00');
    expect(ko.hour(13)).toBe('13시');
    expect(en.weekday(0)).toBe('Sun');
    expect(ko.weekday(1)).toBe('월');
  });

  it('formats rates per second', () => {
    expect(en.perSecond(3.456)).toBe('3.46/s');
    expect(en.perSecond(123.4)).toBe('123/s');
  });

  it('formats lengths of time in the unit a person would use', () => {
    expect(en.duration(45_000)).toBe('45 sec');
    expect(en.duration(60_000)).toBe('1 min');
    expect(en.duration(90_000)).toBe('1.5 min');
    expect(en.duration(180_000)).toBe('3 min');
    expect(en.duration(3_600_000)).toBe('1 hr');
    expect(en.duration(90 * 60_000)).toBe('90 min');
    expect(en.duration(150 * 60_000)).toBe('2.5 hr');
    expect(ko.duration(180_000)).toBe('3분');
    expect(ko.duration(3 * 3_600_000)).toBe('3시간');
  });

  it('writes a time window in the chosen zone, with the shared date once', () => {
    // CLDR puts thin spaces around the dash; compare the words.
    const plain = (text: string) => text.replace(/\s/g, ' ');
    expect(plain(en.timeWindow('2026-11-25T10:05:00Z', '2026-11-25T10:08:00Z'))).toBe('Nov 25, 10:05 – 10:08');
    expect(plain(en.timeWindow('2026-11-25T23:55:00Z', '2026-11-26T00:08:00Z'))).toBe('Nov 25, 23:55 – Nov 26, 00:08');
    expect(plain(ko.timeWindow('2026-11-25T10:05:00Z', '2026-11-25T10:08:00Z'))).toBe('11월 25일 19:05 ~ 19:08');
  });
});
