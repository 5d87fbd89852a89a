import type { GraphQLResponse, GraphQLRunner } from './tools.ts';

const TIMEOUT_MS = 30_000;

/**
 * Runs operations against a gateway's /graphql over HTTP (the stdio server's way to a local or
 * remote deployment). The token is the gateway's DASHBOARD_TOKEN, when it has one.
 */
export function httpGraphQLRunner(baseUrl: string, token: string | undefined): GraphQLRunner {
  const endpoint = new URL('/graphql', baseUrl).toString();
  return async (query, variables) => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(`no answer from ${endpoint}: ${(error as Error).message}`, { cause: error });
    }
    if (res.status === 401) throw new Error(`${endpoint} refused the token (HTTP 401): pass the gateway's DASHBOARD_TOKEN with --token`);
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('json')) throw new Error(`${endpoint} answered HTTP ${res.status} with ${type || 'no content type'}, not GraphQL`);
    return (await res.json()) as GraphQLResponse;
  };
}
