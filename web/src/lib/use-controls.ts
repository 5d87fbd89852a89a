import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { applyControls, parseControls, type Controls } from './controls.ts';
import { browserDefaults, rememberPreferences } from './preferences.ts';
import { toTimeRangeInput, type TimeRangeInput } from './time-range.ts';

export interface ControlsApi {
  controls: Controls;
  /** The GraphQL TimeRange for the selected range. */
  range: TimeRangeInput;
  setControls(patch: Partial<Controls>): void;
}

/** The header's controls, read from and written to the URL. */
export function useControls(): ControlsApi {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const controls = useMemo(() => parseControls(search, browserDefaults()), [search]);
  const range = useMemo(() => toTimeRangeInput(controls.range), [controls.range]);
  const setControls = useCallback(
    (patch: Partial<Controls>) => {
      const { lang, theme, tz } = patch;
      if (lang || theme || tz) rememberPreferences({ ...(lang && { lang }), ...(theme && { theme }), ...(tz && { tz }) });
      const query = applyControls(window.location.search, patch).toString();
      navigate(query ? `${location}?${query}` : location, { replace: true });
    },
    [location, navigate],
  );
  return { controls, range, setControls };
}

/** The page's own URL parameters (filters), and a setter that keeps the global controls. */
export function usePageParams(): [URLSearchParams, (patch: Record<string, string | null>) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const setParams = useCallback(
    (patch: Record<string, string | null>) => {
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === '') next.delete(key);
        else next.set(key, value);
      }
      const query = next.toString();
      navigate(query ? `${location}?${query}` : location, { replace: true });
    },
    [location, navigate],
  );
  return [params, setParams];
}
