/**
 * A worker thread holding some of the live benchmark's graphql-ws subscribers, so parsing what
 * 50 subscribers receive does not share one event loop with the load generator. It reports, per
 * subscriber, how many records arrived, the `dropped` counts the gateway sent, and the delay
 * from each record's own timestamp (set by the generator just before sending) to its arrival.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscriberWorkerData {
  url: string;
  subscribers: number;
  query: string;
  /** Only records whose request id starts with this count (earlier phases may still be draining). */
  marker: string;
}

export type SubscriberMessage =
  { type: 'ready' } | { type: 'error'; message: string } | { type: 'done'; received: number[]; dropped: number[]; latencies: Float64Array };

interface LiveLog {
  timestamp: string;
  requestId: string | null;
}

const data = workerData as SubscriberWorkerData;
const post = (message: SubscriberMessage) => parentPort!.postMessage(message);
const received = new Array<number>(data.subscribers).fill(0);
const dropped = new Array<number>(data.subscribers).fill(0);
let latencies = new Float64Array(1 << 20);
let count = 0;
const clients: Client[] = [];
const disposers: (() => void)[] = [];
let live = 0;

for (let s = 0; s < data.subscribers; s++) {
  const client = createClient({ url: data.url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  clients.push(client);
  disposers.push(
    client.subscribe<{ logStream: { dropped: number; logs: LiveLog[] } }>(
      { query: data.query },
      {
        next(result) {
          const now = Date.now();
          const batch = result.data?.logStream;
          if (!batch) return;
          if (batch.logs.length === 0 && batch.dropped === 0 && ++live === data.subscribers) post({ type: 'ready' });
          dropped[s]! += batch.dropped;
          for (const log of batch.logs) {
            if (!log.requestId?.startsWith(data.marker)) continue;
            received[s]!++;
            if (count === latencies.length) {
              const grown = new Float64Array(latencies.length * 2);
              grown.set(latencies);
              latencies = grown;
            }
            latencies[count++] = now - Date.parse(log.timestamp);
          }
        },
        error(error) {
          post({ type: 'error', message: error instanceof Error ? error.message : JSON.stringify(error).slice(0, 300) });
        },
        complete() {},
      },
    ),
  );
}

parentPort!.on('message', (message: string) => {
  if (message !== 'stop') return;
  for (const dispose of disposers) dispose();
  void Promise.all(clients.map((c) => c.dispose())).then(() => {
    post({ type: 'done', received, dropped, latencies: latencies.slice(0, count) });
  });
});
