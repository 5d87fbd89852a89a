import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { Provider } from 'urql';
import type { DashboardClient, LiveConnection } from './urql.ts';

const ClientContext = createContext<DashboardClient | null>(null);

/** Makes the one GraphQL client available to urql's hooks and to the live-connection badge. */
export function ClientProvider({ value, children }: { value: DashboardClient; children: ReactNode }) {
  return (
    <ClientContext value={value}>
      <Provider value={value.client}>{children}</Provider>
    </ClientContext>
  );
}

export function useLiveConnection(): LiveConnection {
  const value = useContext(ClientContext);
  return useSyncExternalStore(
    (listener) => value?.onLiveConnection(listener) ?? (() => {}),
    () => value?.liveConnection() ?? 'idle',
  );
}
