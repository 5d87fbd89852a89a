import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local OpenAI-compatible HTTP server for tests: it records every request the gateway sends
 * (path, headers, parsed JSON body) and answers each with the next scripted response — a JSON
 * completion, an SSE stream of chunks, an error status, or no answer at all (a hang, for
 * timeouts). A request with nothing scripted gets a 500, so a test never passes by accident.
 */
export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body as the gateway sent it, inspected by tests
  body: any;
}

export type StubResponse =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'sse'; chunks: unknown[] }
  | { kind: 'hang' };

export interface OpenAiStub {
  /** Base URL to give the gateway as OPENAI_BASE_URL. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queues responses, answered in order. A function sees the request it answers. */
  script(...responses: (StubResponse | ((req: RecordedRequest) => StubResponse))[]): void;
  /** Scripted responses not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

/** Gateway settings that point the AI features at `stub` with API key `key`; `overrides` adds or replaces. */
export function modelEnv(stub: OpenAiStub, key: string, overrides: Record<string, string> = {}): Record<string, string> {
  return { OPENAI_API_KEY: key, OPENAI_BASE_URL: stub.baseUrl, OPENAI_MODEL: 'stub-model', AI_RATE_LIMIT_PER_MINUTE: '1000', ...overrides };
}

export async function startOpenAiStub(): Promise<OpenAiStub> {
  const queue: (StubResponse | ((req: RecordedRequest) => StubResponse))[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      const next = queue.shift();
      const response = typeof next === 'function' ? next(recorded) : next;
      respond(res, response ?? { kind: 'json', status: 500, body: { error: { message: 'no scripted response for this request' } } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...responses) => queue.push(...responses),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function respond(res: ServerResponse, response: StubResponse): void {
  switch (response.kind) {
    case 'hang':
      return;
    case 'json':
      res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
      res.end(JSON.stringify(response.body));
      return;
    case 'sse':
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const chunk of response.chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      res.end('data: [DONE]\n\n');
  }
}

const usageOf = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

/** A non-streamed chat completion whose message content is `content`. */
export function completion(content: string, usage = usageOf(100, 50)): StubResponse {
  return {
    kind: 'json',
    body: {
      id: 'chatcmpl-stub',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'stub-model',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage,
    },
  };
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-stub',
  object: 'chat.completion.chunk',
  created: Math.floor(Date.now() / 1000),
  model: 'stub-model',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
});

const usageChunk = (usage: ReturnType<typeof usageOf>) => ({
  id: 'chatcmpl-stub',
  object: 'chat.completion.chunk',
  created: Math.floor(Date.now() / 1000),
  model: 'stub-model',
  choices: [],
  usage,
});

/** A streamed answer: the text split into the given pieces, then usage. */
export function streamedAnswer(pieces: string[], usage = usageOf(200, 40)): StubResponse {
  return {
    kind: 'sse',
    chunks: [chunk({ role: 'assistant', content: '' }), ...pieces.map((p) => chunk({ content: p })), chunk({}, 'stop'), usageChunk(usage)],
  };
}

/** A streamed turn that only calls tools (arguments streamed in two halves, as real servers do). */
export function streamedToolCalls(calls: { id: string; name: string; args: unknown }[], usage = usageOf(150, 20)): StubResponse {
  const chunks: unknown[] = [chunk({ role: 'assistant', content: null })];
  calls.forEach((call, index) => {
    const text = JSON.stringify(call.args);
    const half = Math.floor(text.length / 2);
    chunks.push(
      chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: text.slice(0, half) } }] }),
    );
    chunks.push(chunk({ tool_calls: [{ index, function: { arguments: text.slice(half) } }] }));
  });
  chunks.push(chunk({}, 'tool_calls'), usageChunk(usage));
  return { kind: 'sse', chunks };
}

/** A valid insight in the gateway's JSON schema. */
export function insightJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    summary: 'GET /api/products slowed down: p95 1850 ms against 120 ms before.',
    severity: 'warning',
    worstEndpoint: 'GET /api/products',
    problems: ['Latency regression on GET /api/products.'],
    causes: ['A slow database query behind GET /api/products.'],
    improvements: ['Add an index and a cache.'],
    evidence: [{ label: 'GET /api/products p95', value: 1850, unit: 'ms' }],
    ...overrides,
  });
}
