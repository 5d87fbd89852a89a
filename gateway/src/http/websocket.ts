import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context.ts';
import { bearerToken, tokenMatches } from './auth.ts';
import type { Logger } from '../logger.ts';
import { presentedDashboardToken } from './dashboard-auth.ts';
import { originAllowed } from './origin.ts';
import { serveGraphQLWs, type SocketExtra } from './ws-transport.ts';

export type GatewayYoga = YogaServerInstance<{ req: IncomingMessage; res: ServerResponse; operationSignal?: AbortSignal }, GatewayContext>;

export interface GraphQLWebSocketOptions {
  /** When set, connection_init must carry it (connectionParams `authorization: "Bearer …"` or `token`). */
  dashboardToken: string | undefined;
  /** Sockets past connection_init (the ones that can subscribe). */
  maxConnections: number;
  /** Sockets still waiting for connection_init; counted apart so idle sockets cannot take the slots of logged-in ones. */
  maxUninitialised: number;
  /** A socket that has not sent connection_init by then is closed (4408). */
  initTimeoutMs: number;
  /** Origins besides the gateway's own that may open a socket (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  maxSubscriptionsPerConnection: number;
  /** Ping period; a socket that has not answered by the next ping is terminated. */
  keepAliveMs: number;
  production: boolean;
}

export interface GraphQLWebSocket {
  /** Open sockets, initialised or not. */
  readonly connections: number;
  close(): Promise<void>;
}

/** "Try Again Later": graphql-ws clients retry it with backoff. */
const TRY_AGAIN_LATER = 1013;
const MAX_MESSAGE_BYTES = 1024 * 1024;
const CLOSE_GRACE_MS = 1_000;

/** The token a client put in its connection_init payload, in any of the usual spellings. */
function connectionToken(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  const headers = typeof params.headers === 'object' && params.headers !== null ? (params.headers as Record<string, unknown>) : {};
  for (const value of [params.authorization, params.Authorization, headers.authorization, headers.Authorization]) {
    if (typeof value === 'string' && value.trim()) return bearerToken(value) ?? value.trim();
  }
  return typeof params.token === 'string' && params.token ? params.token : undefined;
}

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;

/** The operation id of a graphql-ws `complete` message from the client, else undefined. */
function clientCompleted(text: string): string | undefined {
  if (!text.includes('"complete"')) return undefined;
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown };
    return message.type === 'complete' && typeof message.id === 'string' ? message.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * graphql-ws on the same http server and path as Yoga. Every operation goes through
 * `yoga.getEnveloped`, so sockets get the HTTP side's schema, context, validation rules and
 * error masking. On top: the dashboard token in connection_init, caps on connections and on
 * subscriptions per connection, ping/pong that terminates dead sockets, and results shared by
 * many subscribers sent as the same pre-serialised bytes (ws-transport.ts).
 */
export function attachGraphQLWebSocket(server: Server, yoga: GatewayYoga, options: GraphQLWebSocketOptions, logger: Logger): GraphQLWebSocket {
  let initialised = 0;
  const counted = new WeakSet<object>();
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: MAX_MESSAGE_BYTES,
    // Refusals before the handshake completes: a plain HTTP status, no socket held.
    verifyClient: ({ req }, accept) => {
      if (!originAllowed(req, options.corsOrigins)) {
        logger.warn({ ip: req.socket.remoteAddress }, 'live: WebSocket upgrade refused, cross-site origin');
        return accept(false, 403, 'Origin not allowed');
      }
      // A credential on the upgrade itself is checked now, so a wrong one costs no socket.
      const presented = presentedDashboardToken(req);
      if (options.dashboardToken && presented !== undefined && !tokenMatches(presented, [options.dashboardToken])) {
        return accept(false, 401, 'Unauthorized', { 'www-authenticate': 'Basic realm="logpulse", charset="UTF-8"' });
      }
      if (wss.clients.size - initialised >= options.maxUninitialised) {
        logger.warn({ max: options.maxUninitialised }, 'live: WebSocket upgrade refused, too many sockets awaiting connection_init');
        return accept(false, 503, 'Too many connections awaiting connection_init', { 'retry-after': '1' });
      }
      accept(true);
    },
  });
  // Each running operation's abort signal, by socket and operation id: aborted when the client
  // completes the operation or the socket closes, which cancels its PostgreSQL statements
  // (graphql-ws has no hook for a client completing a query that is still executing).
  const running = new WeakMap<object, Map<string, AbortController>>();
  wss.on('connection', (socket) => {
    const operations = new Map<string, AbortController>();
    running.set(socket, operations);
    socket.on('message', (data: Buffer) => {
      if (operations.size === 0 || data.length > 256) return;
      const id = clientCompleted(data.toString());
      if (id === undefined) return;
      operations.get(id)?.abort();
      operations.delete(id);
    });
    socket.once('close', () => {
      if (counted.delete(socket)) initialised--;
      for (const controller of operations.values()) controller.abort();
      operations.clear();
    });
  });

  /** The dashboard token check of connection_init: true, or false after closing with 4401. */
  const authorise = (ctx: Context<Record<string, unknown> | undefined, SocketExtra>): boolean => {
    if (!options.dashboardToken) return true;
    // connectionParams first; else the upgrade request's own Authorization header (a browser
    // that passed the dashboard's Basic prompt sends it on the handshake too).
    const presented = connectionToken(ctx.connectionParams) ?? presentedDashboardToken(ctx.extra.request);
    // 4401 for both cases: graphql-ws clients give up on it instead of retrying a bad token.
    const reason = !presented
      ? 'Unauthorized: connectionParams must carry the dashboard token (authorization: "Bearer <token>")'
      : !tokenMatches(presented, [options.dashboardToken])
        ? 'Unauthorized: invalid dashboard token'
        : null;
    if (reason === null) return true;
    logger.warn({ ip: ctx.extra.request.socket.remoteAddress }, 'live: WebSocket connection refused, bad dashboard token');
    ctx.extra.socket.close(CloseCode.Unauthorized, reason);
    return false;
  };

  // The enveloped functions of each operation, found again by its ExecutionArgs object.
  const operations = new WeakMap<ExecutionArgs, Enveloped>();
  const operation = (args: ExecutionArgs): Enveloped => {
    const enveloped = operations.get(args);
    if (!enveloped) throw new Error('live: operation was not prepared by onSubscribe');
    return enveloped;
  };

  const disposable = serveGraphQLWs(
    {
      isProd: options.production,
      connectionInitWaitTimeout: options.initTimeoutMs,
      onConnect: (ctx) => {
        if (!authorise(ctx)) return false;
        // Counted only now: a socket that never sends connection_init takes no connection slot.
        if (initialised >= options.maxConnections) {
          logger.warn({ max: options.maxConnections }, 'live: WebSocket connection refused, too many connections');
          ctx.extra.socket.close(TRY_AGAIN_LATER, 'Too many live connections; try again later');
          return false;
        }
        initialised++;
        counted.add(ctx.extra.socket);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        // The map already holds this operation, hence ">".
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(`Too many operations on this connection (at most ${options.maxSubscriptionsPerConnection}); complete one first`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const controller = new AbortController();
        const enveloped = yoga.getEnveloped({ req: ctx.extra.request, params: payload, operationSignal: controller.signal });
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          // A syntax error must fail this operation, not the whole connection.
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        let errors: readonly GraphQLError[];
        try {
          errors = enveloped.validate(enveloped.schema, document);
        } catch (error) {
          // The GraphQL limits (graphql-armor) throw their refusal: it fails this operation only;
          // the socket and its other subscriptions live on. Logged without the operation's text.
          if (!(error instanceof GraphQLError)) throw error;
          logger.debug({ reason: error.message }, 'live: operation refused by the GraphQL limits');
          return [error];
        }
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
        };
        operations.set(args, enveloped);
        running.get(ctx.extra.socket)?.set(id, controller);
        return args;
      },
      onComplete: (ctx, id) => void running.get(ctx.extra.socket)?.delete(id),
      execute: (args) => operation(args).execute(args),
      subscribe: (args) => operation(args).subscribe(args),
    },
    wss,
    options.keepAliveMs,
    logger,
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      // A polite close first; a client that does not answer within the grace is cut off, so
      // shutdown never waits for ws's 30 s closing-handshake timeout.
      for (const client of wss.clients) client.close(1001, 'Server going away');
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
    },
  };
}
