import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
export { waitFor } from '@logpulse/testkit/wait-for';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What the server answered: a status, or 'reset' when it cut the connection. */
  answer: number | 'reset';
}

/** A scripted answer; when the script runs out the server answers `fallback`. */
export type Answer = number | 'reset';

/**
 * A real HTTP server standing in for the gateway's /log/ingest: records every request
 * and answers from a script (status codes or connection resets).
 */
export async function startCaptureServer() {
  const requests: CapturedRequest[] = [];
  const script: Answer[] = [];
  let fallback: Answer = 200;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = script.shift() ?? fallback;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), answer });
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ answer }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/log/ingest`,
    requests,
    /** Answers for the next requests, in order. */
    script: (...answers: Answer[]) => script.push(...answers),
    /** The answer once the script is used up. */
    answerAlways: (answer: Answer) => {
      fallback = answer;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type CaptureServer = Awaited<ReturnType<typeof startCaptureServer>>;

/** The JSON lines of a captured gzip json_lines body. */
export function decodeBody(body: Buffer): string[] {
  const text = gunzipSync(body).toString('utf8');
  if (!text.endsWith('\n')) throw new Error('json_lines body must end with a newline');
  return text.slice(0, -1).split('\n');
}

/** Records of every request the server answered with 2xx, in arrival order, each body once. */
export function deliveredRecords(requests: readonly CapturedRequest[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const records: Record<string, unknown>[] = [];
  for (const request of requests) {
    if (typeof request.answer !== 'number' || request.answer < 200 || request.answer > 205) continue;
    // The gateway stores a byte-identical body once (batch digest); so do we here.
    const key = request.body.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    records.push(...decodeBody(request.body).map((line) => JSON.parse(line) as Record<string, unknown>));
  }
  return records;
}

