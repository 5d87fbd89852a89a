import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Media types a POST to /graphql may have. A browser sends a cross-site POST without a CORS
 * preflight only when its type is text/plain, application/x-www-form-urlencoded or
 * multipart/form-data (what a plain `<form>` can send), so insisting on JSON means every
 * cross-site POST needs the preflight that CORS_ORIGINS answers, and a foreign page's form can no
 * longer run a mutation with the user's saved Basic login.
 */
const JSON_TYPES = new Set(['application/json', 'application/graphql+json']);

/** True when a POST carries a JSON body; GET/OPTIONS are for the other checks. */
export function postIsJson(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return true;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return JSON_TYPES.has(type);
}

export function refuseNonJsonPost(res: ServerResponse): void {
  res.writeHead(415, { 'content-type': 'application/json', 'cache-control': 'no-store', accept: 'application/json' });
  res.end(JSON.stringify({ error: 'POST /graphql needs Content-Type: application/json' }));
}

/**
 * Subscriptions only over POST (JSON, so preflighted) or the WebSocket: a GET subscription (an
 * EventSource or even an `<img>` on a foreign page) would otherwise hold a live stream open with
 * the user's credentials. Yoga itself already keeps mutations off GET.
 */
export function preventSubscriptionViaGet(): Plugin {
  return {
    onParse() {
      return ({ result, context }) => {
        const { request, params } = context as { request?: Request; params?: { operationName?: string } };
        // No request: a graphql-ws operation, which has its own checks at the upgrade.
        if (!request || request.method !== 'GET' || result instanceof Error) return;
        if (getOperationAST(result, params?.operationName)?.operation === 'subscription') {
          throw new GraphQLError('Subscriptions need a POST with Content-Type: application/json, or the WebSocket.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { allow: 'POST' } } },
          });
        }
      };
    },
  };
}
