import { createClient as createSseClient } from 'graphql-sse';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
export { waitFor } from '@logpulse/testkit/wait-for';


/** A WebSocket whose instances the test can reach (to pause reading, or cut it off). */
export function trackedWebSocket(): { impl: unknown; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
    }
  }
  return { impl: Tracked, sockets };
}

export interface WsClientOptions {
  connectionParams?: Record<string, unknown>;
  /** A WebSocket class (graphql-ws types it as unknown); `ws` by default. */
  webSocketImpl?: unknown;
  onClosed?: (event: { code: number; reason: string }) => void;
}

/** A real graphql-ws client for a gateway's http URL; no retries, so refusals surface. */
export function wsClient(httpUrl: string, options: WsClientOptions = {}): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: options.webSocketImpl ?? WebSocket,
    connectionParams: options.connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: options.onClosed
      ? {
          closed: (event) => {
            const { code, reason } = event as { code: number; reason: string };
            options.onClosed?.({ code, reason });
          },
        }
      : undefined,
  });
}

export function sseClient(httpUrl: string) {
  return createSseClient({ url: `${httpUrl}/graphql`, retryAttempts: 0 });
}

interface Sink<T> {
  next(value: { data?: T | null; errors?: readonly unknown[] }): void;
  error(error: unknown): void;
  complete(): void;
}

/** Everything one subscription received, as it arrives. */
export class Received<T> {
  readonly data: T[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  unsubscribe: () => void = () => {};
  private readonly waiters = new Set<() => void>();

  /** Resolves as soon as `check` holds after something arrives (or already holds). */
  until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  readonly sink: Sink<T> = {
    next: (value) => {
      if (value.errors?.length) this.errors.push(...value.errors);
      if (value.data) this.data.push(value.data);
      this.notify();
    },
    error: (error) => {
      // graphql-ws reports operation errors as an array, a lost connection as a CloseEvent/Error.
      if (Array.isArray(error)) this.errors.push(...(error as unknown[]));
      else if (error instanceof Error) this.errors.push({ message: error.message });
      else if (error && typeof error === 'object' && 'code' in error) this.errors.push({ closeCode: (error as { code: number }).code, reason: (error as { reason?: string }).reason });
      else this.errors.push(error);
      this.completed = true;
      this.notify();
    },
    complete: () => {
      this.completed = true;
      this.notify();
    },
  };
}

type Subscribable = { subscribe(payload: { query: string; variables?: Record<string, unknown> }, sink: Sink<never>): () => void };

/** Starts a subscription on a graphql-ws or graphql-sse client and records what it gets. */
export function subscribe<T>(client: Client | Subscribable, query: string, variables?: Record<string, unknown>): Received<T> {
  const received = new Received<T>();
  received.unsubscribe = (client as Subscribable).subscribe({ query, variables }, received.sink as Sink<never>);
  return received;
}

export const LOG_STREAM = /* GraphQL */ `
  subscription LiveLogs($filter: LogFilter) {
    logStream(filter: $filter) {
      dropped
      logs { id timestamp service method path route status latencyMs ingestedAt }
    }
  }
`;

export interface LiveLog {
  id: string;
  timestamp: string;
  service: string;
  method: string;
  path: string;
  route: string;
  status: number;
  latencyMs: number;
  ingestedAt: string;
}

export interface LogStreamData {
  logStream: { dropped: number; logs: LiveLog[] };
}

export const logsOf = (received: Received<LogStreamData>): LiveLog[] => received.data.flatMap((d) => d.logStream.logs);
export const droppedOf = (received: Received<LogStreamData>): number => received.data.reduce((n, d) => n + d.logStream.dropped, 0);

/** The first (empty) batch says the server-side listener is attached: records after it arrive. */
export const waitLive = async (received: Received<LogStreamData>, what = 'the subscription to be live') => {
  await received.until(what, () => received.data.length > 0 || received.errors.length > 0);
  if (received.errors.length) throw new Error(`subscription failed: ${JSON.stringify(received.errors)}`);
};

export interface TestRecord {
  timestamp?: string;
  path: string;
  method?: string;
  status?: number;
  latency_ms?: number;
  service?: string;
  [key: string]: unknown;
}

export const record = (r: TestRecord) => ({
  timestamp: new Date().toISOString(),
  method: 'GET',
  status: 200,
  latency_ms: 5,
  user_agent: 'live-test',
  ip_address: '127.0.0.1',
  ...r,
});

export { CuttableProxy } from '@logpulse/testkit/tcp-proxy';
