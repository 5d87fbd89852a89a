import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context.ts';
import { bearerToken, tokenMatches } from './auth.ts';
import type { Logger } from '../logger.ts';
import { presentedDashboardToken } from './dashboard-auth.ts';
import { serveGraphQLWs } from './ws-transport.ts';

export type GatewayYoga = YogaServerInstance<{ req: IncomingMessage; res: ServerResponse }, GatewayContext>;

export interface GraphQLWebSocketOptions {
  /** When set, connection_init must carry it (connectionParams `authorization: "Bearer …"` or `token`). */
  dashboardToken: string | undefined;
  maxConnections: number;
  maxSubscriptionsPerConnection: number;
  /** Ping period; a socket that has not answered by the next ping is terminated. */
  keepAliveMs: number;
  production: boolean;
}

export interface GraphQLWebSocket {
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

/**
 * graphql-ws on the same http server and path as Yoga. Every operation goes through
 * `yoga.getEnveloped`, so sockets get the HTTP side's schema, context, validation rules and
 * error masking. On top: the dashboard token in connection_init, caps on connections and on
 * subscriptions per connection, ping/pong that terminates dead sockets, and results shared by
 * many subscribers sent as the same pre-serialised bytes (ws-transport.ts).
 */
export function attachGraphQLWebSocket(server: Server, yoga: GatewayYoga, options: GraphQLWebSocketOptions, logger: Logger): GraphQLWebSocket {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: MAX_MESSAGE_BYTES });
  // Registered before useServer's own handler so an over-limit socket is closed before anything else.
  wss.on('connection', (socket) => {
    if (wss.clients.size > options.maxConnections) {
      logger.warn({ max: options.maxConnections }, 'live: WebSocket connection refused, too many connections');
      socket.close(TRY_AGAIN_LATER, 'Too many live connections; try again later');
    }
  });

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
      onConnect: (ctx) => {
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
      },
      onSubscribe: async (ctx, _id, payload) => {
        // The map already holds this operation, hence ">".
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(`Too many operations on this connection (at most ${options.maxSubscriptionsPerConnection}); complete one first`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const enveloped = yoga.getEnveloped({ req: ctx.extra.request, params: payload });
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          // A syntax error must fail this operation, not the whole connection.
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
        };
        operations.set(args, enveloped);
        return args;
      },
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
