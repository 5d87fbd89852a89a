/** A GraphQL subscription over Yoga's SSE with a plain fetch, collecting the `data` of each event. */
export interface SseSubscription<T> {
  /** The response's Content-Type (text/event-stream when the server streams). */
  contentType: string | null;
  events: T[];
  /** Reads until `done()` holds (or the timeout passes). */
  until(done: () => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function subscribeSse<T>(url: string, query: string, variables: Record<string, unknown>): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`subscription answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: T[] = [];
  let buffer = '';
  return {
    contentType: res.headers.get('content-type'),
    events,
    async until(done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for subscription events (have ${events.length})`);
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error('subscription stream ended');
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('');
          if (data) events.push((JSON.parse(data) as { data: T }).data);
        }
      }
    },
    close: () => controller.abort(),
  };
}
