// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { PALETTES } from '../../lib/theme.ts';
import { contrastRatio, readableTextOn, relativeLuminance } from './readable-text.ts';

describe('readable chart labels', () => {
  it('reads hex and rgb() colours', () => {
    expect(relativeLuminance('#fff')).toBeCloseTo(1);
    expect(relativeLuminance('rgb(0, 0, 0)')).toBe(0);
    expect(relativeLuminance('not a colour')).toBeNull();
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21);
  });

  it('labels every heatmap fill of both themes at WCAG AA (4.5:1) or better', () => {
    for (const palette of Object.values(PALETTES)) {
      for (const fill of [...palette.heat, palette.surfaceAlt]) {
        expect(contrastRatio(fill, readableTextOn(fill)), fill).toBeGreaterThanOrEqual(4.5);
      }
    }
    // The dark end of the light theme's scale gets white, the pale end black.
    expect(readableTextOn(PALETTES.light.heat[1])).toBe('#ffffff');
    expect(readableTextOn(PALETTES.light.heat[0])).toBe('#111418');
  });
});
