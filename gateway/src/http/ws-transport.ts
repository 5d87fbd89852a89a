import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import { sharedResultJson } from '../live/shared-execution.ts';

/** What graphql-ws hands our hooks as `ctx.extra`. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/*
 * graphql-ws always builds a message as a string: JSON.stringify({ id, type, payload }). For a
 * result shared by many subscribers (shared-execution.ts) that would serialise the same payload
 * once per subscriber. Instead onNext returns a SharedPayload whose toJSON leaves a marker and
 * hands its pre-built JSON to the transport; the transport's send, called synchronously right
 * after (graphql-ws does `socket.send(stringifyMessage(…))`), sends the message as three
 * fragments of one text message — the `{"id":…,"type":"next","payload":` head, the shared
 * bytes, `}` — so the shared payload is neither serialised nor copied per subscriber.
 */
const MARKER = 'logpulse:shared-payload';
const MARKED_TAIL = `"${MARKER}"}`;
const CLOSE_BRACE = Buffer.from('}');
let handedOver: Buffer | undefined;

class SharedPayload {
  constructor(private readonly json: Buffer) {}
  toJSON(): string {
    handedOver = this.json;
    return MARKER;
  }
}

/** The pieces of the message to send for `data`: itself, or the head and shared payload. */
function pieces(data: string): { head: string; shared?: Buffer } {
  const shared = handedOver;
  handedOver = undefined;
  if (!shared) return { head: data };
  if (!data.endsWith(MARKED_TAIL)) throw new Error('live: a shared payload was not the last field of its message');
  return { head: data.slice(0, data.length - MARKED_TAIL.length), shared };
}

/**
 * graphql-ws `onNext`: the shared bytes for a shared result, else nothing (default formatting).
 * graphql-ws only checks that a payload is an object and then stringifies it, which is all a
 * SharedPayload needs to stand in for the formatted result.
 */
function sharedPayloadOnNext(result: ExecutionResult): FormattedExecutionResult | undefined {
  const json = sharedResultJson(result);
  return json ? (new SharedPayload(json) as FormattedExecutionResult) : undefined;
}

/** Close reasons are limited to 123 bytes by the WebSocket protocol. */
function closeReason(reason: string, fallback: string): string {
  return Buffer.byteLength(reason) > 123 ? fallback : reason;
}

/**
 * graphql-ws served on a ws server: graphql-ws's own `useServer` (its docs invite copying it),
 * with one change — `send` writes shared payloads (above) — and onNext defaulting to them.
 * Keeps its keep-alive: a ping every `keepAliveMs`, a socket silent until the next is terminated.
 */
export function serveGraphQLWs(
  options: ServerOptions<Record<string, unknown> | undefined, SocketExtra> & { isProd: boolean },
  wss: WebSocketServer,
  keepAliveMs: number,
  logger: Logger,
): { dispose(): Promise<void> } {
  const server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    onNext: (_ctx, _id, _payload, _args, result) => sharedPayloadOnNext(result),
    ...options,
  });
  const internalError = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ err: message }, 'live: internal error on the GraphQL WebSocket');
    return options.isProd ? 'Internal server error' : closeReason(message, 'Internal server error');
  };
  wss.options.handleProtocols = handleProtocols;
  wss.once('error', (error) => {
    const reason = internalError(error);
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, reason);
  });

  wss.on('connection', (socket, request) => {
    socket.once('error', (error) => socket.close(CloseCode.InternalServerError, internalError(error)));
    let pongWait: NodeJS.Timeout | undefined;
    const pingInterval =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once('pong', () => {
              clearTimeout(pongWait);
              pongWait = undefined;
            });
            socket.ping();
          }, keepAliveMs)
        : undefined;

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            const { head, shared } = pieces(data);
            if (socket.readyState !== socket.OPEN) return resolve();
            const done = (error?: Error) => (error ? reject(error) : resolve());
            if (!shared) return socket.send(head, done);
            // Fragments of one text message, queued together so no other message can come between.
            socket.send(head, { binary: false, fin: false });
            socket.send(shared, { binary: false, fin: false });
            socket.send(CLOSE_BRACE, { binary: false, fin: true }, done);
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (callback) =>
          socket.on('message', async (message) => {
            try {
              await callback(String(message));
            } catch (error) {
              socket.close(CloseCode.InternalServerError, internalError(error));
            }
          }),
      },
      { socket, request },
    );

    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
