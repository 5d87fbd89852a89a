// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { citationPath } from './citations.ts';

describe('chat citations', () => {
  it('link each analysis to the page that shows it', () => {
    expect(citationPath('slowEndpoints')).toBe('/performance');
    expect(citationPath('errorHeatmap')).toBe('/errors');
    expect(citationPath('endpointUsage')).toBe('/endpoints');
    expect(citationPath('traffic')).toBe('/');
    expect(citationPath('patterns')).toBe('/insights');
    expect(citationPath('recentLogs')).toBe('/logs');
    expect(citationPath('somethingNew')).toBe('/');
  });
});
