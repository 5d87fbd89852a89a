// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { recommendationClient, recommendationLogs, type RecommendationFacts } from './recommendation-view.ts';

const base: RecommendationFacts = {
  kind: 'OPTIMIZE_SLOW_ENDPOINT',
  service: 'shop-api',
  method: 'GET',
  route: '/api/slow',
  title: 'Speed up GET /api/slow',
};

describe('recommendation view', () => {
  it('drills down to the responses that show the problem', () => {
    expect(recommendationLogs(base, null)).toEqual({
      service: 'shop-api',
      route: '/api/slow',
      method: 'GET',
      statusClass: null,
      status: null,
    });
    expect(recommendationLogs({ ...base, kind: 'INVESTIGATE_5XX' }, null)).toMatchObject({ statusClass: 5, status: null });
    expect(recommendationLogs({ ...base, kind: 'FIX_404_ROUTE' }, null)).toMatchObject({ status: 404, statusClass: null });
    expect(recommendationLogs({ ...base, service: null }, 'auth-api')).toMatchObject({ service: 'auth-api' });
  });

  it('has no logs link for a finding about a client, whose address it shows instead', () => {
    const client: RecommendationFacts = {
      kind: 'RATE_LIMIT_CLIENT',
      service: null,
      method: null,
      route: null,
      title: 'Rate-limit the noisy client 198.51.100.77',
    };
    expect(recommendationLogs(client, null)).toBeNull();
    expect(recommendationClient(client)).toBe('198.51.100.77');
    expect(recommendationClient({ ...client, title: 'Throttle 2001:db8::1' })).toBe('Throttle 2001:db8::1');
    expect(recommendationClient(base)).toBeNull();
  });
});
