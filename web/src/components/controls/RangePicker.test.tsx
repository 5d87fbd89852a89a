import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../../i18n/index.tsx';
import type { RangeSelection } from '../../lib/time-range.ts';
import { RangePicker } from './RangePicker.tsx';

const NOW = Date.parse('2026-11-25T03:00:00Z');

function setup(value: RangeSelection, locale: 'en' | 'ko' = 'en') {
  const onChange = vi.fn();
  render(
    <I18nProvider locale={locale} timeZone="Asia/Seoul">
      <RangePicker value={value} timeZone="Asia/Seoul" onChange={onChange} now={() => NOW} />
    </I18nProvider>,
  );
  return onChange;
}

describe('RangePicker', () => {
  it('offers every preset and reports the chosen one', () => {
    const onChange = setup({ kind: 'preset', preset: '1h' });
    const select = screen.getByLabelText('Time range');
    expect([...select.querySelectorAll('option')].map((o) => o.getAttribute('value'))).toEqual(['5m', '15m', '1h', '6h', '24h', '7d', '30d', 'custom']);
    fireEvent.change(select, { target: { value: '24h' } });
    expect(onChange).toHaveBeenCalledWith({ kind: 'preset', preset: '24h' });
  });

  it('takes a custom range as wall-clock time in the dashboard’s zone', () => {
    const onChange = setup({ kind: 'preset', preset: '1h' });
    fireEvent.change(screen.getByLabelText('Time range'), { target: { value: 'custom' } });
    // Prefilled with the last hour, shown in Seoul time (UTC+9).
    expect(screen.getByLabelText('From')).toHaveProperty('value', '2026-11-25T11:00');
    expect(screen.getByLabelText('To')).toHaveProperty('value', '2026-11-25T12:00');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-25T09:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(onChange).toHaveBeenCalledWith({ kind: 'custom', from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T03:00:00.000Z' });
  });

  it('refuses a range that ends before it starts', () => {
    const onChange = setup({ kind: 'preset', preset: '1h' }, 'ko');
    fireEvent.change(screen.getByLabelText('기간'), { target: { value: 'custom' } });
    fireEvent.change(screen.getByLabelText('시작'), { target: { value: '2026-11-25T13:00' } });
    fireEvent.click(screen.getByRole('button', { name: '적용' }));
    expect(screen.getByRole('alert').textContent).toBe('시작 시각이 종료 시각보다 앞서야 합니다.');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('shows a custom range in the select, formatted for the locale', () => {
    setup({ kind: 'custom', from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T03:00:00.000Z' });
    const select = screen.getByLabelText('Time range') as HTMLSelectElement;
    expect(select.value).toBe('custom');
    expect(select.selectedOptions[0]?.textContent).toBe('11/25/2026, 09:00:00 – 11/25/2026, 12:00:00');
  });
});
