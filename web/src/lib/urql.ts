import { cacheExchange, Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

export type LiveConnection = 'idle' | 'connecting' | 'connected' | 'closed';

export interface DashboardClient {
  client: Client;
  /** Current state of the WebSocket used by subscriptions, and a way to follow it. */
  liveConnection(): LiveConnection;
  onLiveConnection(listener: (state: LiveConnection) => void): () => void;
  dispose(): void;
}

/**
 * The dashboard's one GraphQL client: queries and mutations over HTTP POST to /graphql, with
 * urql's document cache (analysis results are not entities, so there is nothing to normalise;
 * auto-refresh re-executes network-only), and subscriptions over graphql-ws on the same origin.
 */
export function createDashboardClient(origin: string = window.location.origin): DashboardClient {
  const httpUrl = new URL('/graphql', origin).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  let state: LiveConnection = 'idle';
  const listeners = new Set<(s: LiveConnection) => void>();
  const setState = (next: LiveConnection) => {
    state = next;
    for (const listener of listeners) listener(next);
  };

  const ws: WsClient = createWsClient({
    url: wsUrl,
    lazy: true,
    // A dashboard left open all day must come back by itself after a gateway restart.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2)));
    },
    on: {
      connecting: () => setState('connecting'),
      connected: () => setState('connected'),
      // lazy mode closes normally (1000) once the last subscription ends: that is idle, not lost.
      closed: (event) => setState((event as { code?: number } | undefined)?.code === 1000 ? 'idle' : 'closed'),
    },
  });

  const client = new Client({
    url: httpUrl,
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    liveConnection: () => state,
    onLiveConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => void ws.dispose(),
  };
}
