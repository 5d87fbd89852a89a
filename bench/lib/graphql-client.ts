import { Pool } from 'undici';

export interface GraphQLTiming {
  ms: number;
  bytes: number;
  error?: string;
}

/** A keep-alive HTTP client for /graphql that reports wall time to the last byte of each answer. */
export class GraphQLClient {
  private readonly pool: Pool;

  constructor(url: string, connections = 1) {
    this.pool = new Pool(url, { connections, pipelining: 1 });
  }

  async time(query: string, variables: Record<string, unknown>): Promise<GraphQLTiming> {
    const started = performance.now();
    const res = await this.pool.request({
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    let error: string | undefined;
    try {
      const parsed = JSON.parse(text) as { errors?: { message: string }[]; data?: unknown };
      if (parsed.errors?.length)
        error = parsed.errors
          .map((e) => e.message)
          .join('; ')
          .slice(0, 300);
      else if (res.statusCode !== 200) error = `HTTP ${res.statusCode}`;
    } catch {
      error = `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
    }
    return { ms, bytes: Buffer.byteLength(text), error };
  }

  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.pool.request({
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const parsed = (await res.body.json()) as { data?: T; errors?: { message: string }[] };
    if (parsed.errors?.length || !parsed.data)
      throw new Error(`GraphQL error: ${parsed.errors?.map((e) => e.message).join('; ') ?? res.statusCode}`);
    return parsed.data;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
