// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/index.tsx';
import { createFormatters } from '../../lib/format.ts';
import { formatEvidence } from './evidence.ts';

describe('evidence', () => {
  const items = [
    { label: 'p95 latency', value: 2150.4, unit: 'ms' },
    { label: 'share of total request time', value: 38.25, unit: '%' },
    { label: 'requests', value: 12345, unit: 'requests' },
    { label: 'request rate', value: 42.25, unit: 'req/min' },
    { label: 'average response size', value: 245_760, unit: 'bytes' },
    { label: 'duration', value: 5, unit: 'min' },
    { label: 'multiple of usual', value: 3.14, unit: 'x' },
    { label: 'robust z-score', value: 24.21, unit: 'σ' },
    { label: 'commonest 5xx status', value: 503, unit: null },
    { label: 'something new', value: 1.5, unit: 'widgets' },
  ];

  it('formats each value by its unit with the dashboard’s formatters', () => {
    const fmt = createFormatters('en', 'UTC');
    expect(formatEvidence(items, fmt, createTranslate('en', fmt))).toEqual([
      { label: 'p95', value: '2,150 ms' },
      { label: 'Share of request time', value: '38.3%' },
      { label: 'Requests', value: '12,345' },
      { label: 'Request rate', value: '42.3/min' },
      { label: 'Average response size', value: '240 kB' },
      { label: 'Duration', value: '5 min' },
      { label: 'Multiple of usual', value: '3.1×' },
      { label: 'Robust z-score', value: '24.2σ' },
      { label: 'Commonest 5xx status', value: '503' },
      { label: 'something new', value: '1.5 widgets' },
    ]);
  });

  it('labels the gateway’s English evidence in Korean, keeping unknown labels as sent', () => {
    const fmt = createFormatters('ko', 'Asia/Seoul');
    const shown = formatEvidence(items, fmt, createTranslate('ko', fmt));
    expect(shown[1]).toEqual({ label: '요청 시간 점유율', value: '38.3%' });
    expect(shown[3]).toEqual({ label: '요청 속도', value: '분당 42.3' });
    expect(shown[5]).toEqual({ label: '지속 시간', value: '5분' });
    expect(shown[9]!.label).toBe('something new');
  });
});
