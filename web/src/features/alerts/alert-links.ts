import { hrefWithControls } from '../../lib/controls.ts';

export interface AlertScope {
  service?: string | null;
  route?: string | null;
  method?: string | null;
  kind?: string;
  windowSeconds: number;
}

/**
 * The window an alert is about, for drill-down links: from the window before it fired (or
 * before now) until now, so the explorer shows what led up to it as well.
 */
export function alertWindow(scope: AlertScope, firingSince: string | null | undefined, now: number): { from: string; to: string } {
  const start = firingSince ? Date.parse(firingSince) : now;
  return { from: new Date(start - scope.windowSeconds * 1000).toISOString(), to: new Date(now).toISOString() };
}

/** Links to the Logs explorer (filtered like the rule) and Insights for an alert's window. */
export function alertLinks(
  scope: AlertScope,
  firingSince: string | null | undefined,
  search: string,
  now: number,
): { logs: string; insights: string } {
  const { from, to } = alertWindow(scope, firingSince, now);
  const common = { range: null, from, to, service: scope.service ?? null };
  return {
    logs: hrefWithControls('/logs', search, {
      ...common,
      'f.route': scope.route ?? undefined,
      'f.method': scope.method ?? undefined,
      'f.statusClass': scope.kind === 'SERVER_ERROR_RATE' ? 5 : undefined,
    }),
    insights: hrefWithControls('/insights', search, common),
  };
}
