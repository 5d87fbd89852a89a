import { useMemo } from 'react';
import { useRefresh } from './refresh.tsx';
import { previousPeriod, resolveRange, type TimeRangeInput } from './time-range.ts';
import { useControls } from './use-controls.ts';

/**
 * The selected range's length and the period before it, fixed once per range choice and per
 * refresh tick, so query variables stay stable between renders.
 */
export function usePeriods(): { rangeSeconds: number; previous: TimeRangeInput; from: string; to: string } {
  const { controls } = useControls();
  const { tick } = useRefresh();
  return useMemo(() => {
    const now = Date.now();
    const { from, to } = resolveRange(controls.range, now);
    return { rangeSeconds: (to - from) / 1000, previous: previousPeriod(controls.range, now), from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    // tick is a dependency on purpose: each refresh moves "now".
  }, [controls.range, tick]);
}
