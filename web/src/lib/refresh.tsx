import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQuery, type AnyVariables, type UseQueryArgs, type UseQueryResponse } from 'urql';

interface RefreshState {
  /** Increments on every auto-refresh tick and on "refresh now". */
  tick: number;
  refreshNow(): void;
}

const RefreshContext = createContext<RefreshState>({ tick: 0, refreshNow: () => {} });

/** Drives the header's auto-refresh interval; pages re-run their queries on each tick. */
export function RefreshProvider({ seconds, children }: { seconds: number; children: ReactNode }) {
  const [tick, setTick] = useState(0);
  const refreshNow = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!seconds) return undefined;
    const id = setInterval(() => {
      // A hidden tab need not poll; it catches up when it is shown again.
      if (document.visibilityState !== 'hidden') setTick((t) => t + 1);
    }, seconds * 1000);
    return () => clearInterval(id);
  }, [seconds]);
  return <RefreshContext value={{ tick, refreshNow }}>{children}</RefreshContext>;
}

export function useRefresh(): RefreshState {
  return useContext(RefreshContext);
}

/** urql's useQuery that also re-runs (network-only, keeping the current data) on every refresh tick. */
export function useRefreshingQuery<Data, Variables extends AnyVariables>(args: UseQueryArgs<Variables, Data>): UseQueryResponse<Data, Variables> {
  const response = useQuery<Data, Variables>(args);
  const { tick } = useRefresh();
  const reexecute = response[1];
  // Only ticks after mount count: a page opened later already fetched fresh data.
  const seen = useRef(tick);
  useEffect(() => {
    if (tick === seen.current) return;
    seen.current = tick;
    reexecute({ requestPolicy: 'network-only' });
  }, [tick, reexecute]);
  return response;
}
