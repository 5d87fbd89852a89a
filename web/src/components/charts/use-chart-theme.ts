import type { PartialTheme } from '@nivo/theming';
import { useMemo } from 'react';
import { PALETTES, type Palette } from '../../lib/theme.ts';
import { useControls } from '../../lib/use-controls.ts';

/** The one chart theme: nivo's theme object built from the current palette. */
export function useChartTheme(): { theme: PartialTheme; palette: Palette } {
  const { controls } = useControls();
  return useMemo(() => {
    const palette = PALETTES[controls.theme];
    const text = { fill: palette.textMuted, fontSize: 11, fontFamily: 'inherit' };
    const theme: PartialTheme = {
      background: 'transparent',
      text,
      axis: {
        domain: { line: { stroke: palette.border, strokeWidth: 1 } },
        ticks: { line: { stroke: palette.border, strokeWidth: 1 }, text },
        legend: { text: { ...text, fill: palette.text } },
      },
      grid: { line: { stroke: palette.grid, strokeWidth: 1 } },
      crosshair: { line: { stroke: palette.textMuted, strokeWidth: 1, strokeOpacity: 0.6, strokeDasharray: '4 4' } },
      labels: { text: { ...text, fill: palette.text } },
      tooltip: {
        container: {
          background: palette.surface,
          color: palette.text,
          border: `1px solid ${palette.border}`,
          borderRadius: 6,
          boxShadow: '0 4px 14px rgba(0,0,0,0.18)',
          fontSize: 12,
          padding: '6px 9px',
        },
      },
    };
    return { theme, palette };
  }, [controls.theme]);
}
