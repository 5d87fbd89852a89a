// GraphQL protection: depth, alias, cost and token limits; page-size caps; introspection switch;
// error masking in production; PostgreSQL statement_timeout turning a stuck query into a clean error.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../support/databases.ts';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { record } from '../live/support.ts';
import { dashboardOperations } from '../support/dashboard-operations.ts';

type GraphQLResult = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLResult; text: string }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as GraphQLResult, text };
}

const LIMIT_MESSAGE = /depth|alias|cost|token limit|tokens|directives/i;

describe('GraphQL limits', () => {
  let strict: TestGateway;
  let defaults: TestGateway;
  beforeAll(async () => {
    [strict, defaults] = await Promise.all([
      startTestGateway('postgres', {
        env: { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '2', GRAPHQL_MAX_COST: '20', GRAPHQL_MAX_TOKENS: '120' },
      }),
      startTestGateway('postgres'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([strict?.close(), defaults?.close()]);
  });

  it('refuses operations past the depth, alias, cost and token limits with a clear message', async () => {
    const deep = await gql(strict.url, '{ recentLogs(first: 1) { edges { node { id } } } }');
    expect(deep.body.errors?.[0]?.message).toMatch(/depth limit of 3 exceeded, found 4/i);

    const aliases = await gql(
      strict.url,
      '{ a: services(range: {last: "1h"}) { service } b: services(range: {last: "2h"}) { service } c: services(range: {last: "3h"}) { service } }',
    );
    expect(aliases.body.errors?.[0]?.message).toMatch(/aliases limit of 2 exceeded, found 3/i);

    const costly = await gql(
      strict.url,
      '{ services(range: {last: "1h"}) { service count errorRate endpointCount latency { avg p50 p95 p99 max } } }',
    );
    expect(costly.body.errors?.[0]?.message).toMatch(/cost limit of 20 exceeded/i);

    const wordy = await gql(strict.url, `{ ${Array.from({ length: 130 }, () => '__typename').join(' ')} }`);
    expect(wordy.body.errors?.[0]?.message).toMatch(/token limit of 120 exceeded/i);

    for (const r of [deep, aliases, costly, wordy]) expect(r.body.data ?? null).toBeNull();
    // Within the limits, the same gateway answers.
    expect((await gql(strict.url, '{ a: __typename b: __typename }')).body).toEqual({ data: { a: 'Query', b: 'Query' } });
  });

  it('lets every dashboard operation through the default limits, and still stops abuse', async () => {
    const operations = await dashboardOperations();
    expect(operations.length).toBeGreaterThan(5);
    for (const op of operations.filter((o) => o.kind !== 'subscription')) {
      const result = await gql(defaults.url, op.document);
      const limitErrors = (result.body.errors ?? []).filter((e) => LIMIT_MESSAGE.test(e.message) && !/Variable/.test(e.message));
      expect(limitErrors, op.name).toEqual([]);
    }
    // The largest page with every field of a log record is allowed…
    const fullPage = await gql(
      defaults.url,
      '{ recentLogs(first: 500) { edges { cursor node { id timestamp service method path route status latencyMs userAgent ipAddress requestId bytes extra ingestedAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
    );
    expect(fullPage.body.errors).toBeUndefined();
    // …but page sizes multiply the cost estimate: an absurd `first` is refused before any SQL runs.
    expect((await gql(defaults.url, '{ recentLogs(first: 100000) { edges { node { id path } } } }')).body.errors?.[0]?.message).toMatch(
      /cost limit of 50000 exceeded/i,
    );
    const hundredAliases = Array.from({ length: 100 }, (_, i) => `a${i}: services(range: {last: "30d"}) { service }`).join(' ');
    expect((await gql(defaults.url, `{ ${hundredAliases} }`)).body.errors?.[0]?.message).toMatch(/aliases limit of 20 exceeded/i);
  });

  it('caps page sizes and list limits with BAD_USER_INPUT', async () => {
    const cases = [
      '{ recentLogs(first: 501) { edges { cursor } } }',
      '{ recentLogs(first: 0) { edges { cursor } } }',
      '{ endpointUsage(range: {last: "1h"}, limit: 1001) { route } }',
      '{ slowEndpoints(range: {last: "1h"}, limit: -5) { route } }',
      '{ recentLogs(after: "not-a-cursor") { edges { cursor } } }',
      '{ traffic(range: {last: "365000d"}) { points { requests } } }',
    ];
    for (const query of cases) {
      const result = await gql(defaults.url, query);
      expect(result.status, query).toBeLessThan(500);
      expect(result.body.errors?.[0]?.extensions?.code, `${query}: ${result.text.slice(0, 200)}`).toBe('BAD_USER_INPUT');
    }
  });
});

describe('introspection switch (GRAPHQL_INTROSPECTION)', () => {
  let closed: TestGateway;
  let open: TestGateway;
  beforeAll(async () => {
    [closed, open] = await Promise.all([
      startTestGateway('postgres', { env: { GRAPHQL_INTROSPECTION: 'false' } }),
      startTestGateway('postgres'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([closed?.close(), open?.close()]);
  });

  it('refuses __schema and __type when off, keeps __typename, hides field suggestions and GraphiQL', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Log") { fields { name } } }']) {
      const result = await gql(closed.url, query);
      expect(result.body.errors?.[0]?.message).toMatch(/introspection has been disabled/i);
      expect(result.body.data ?? null).toBeNull();
    }
    expect((await gql(closed.url, '{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    const typo = await gql(closed.url, '{ recentLog { edges { cursor } } }');
    expect(typo.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
    const page = await fetch(`${closed.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);

    // On (the default outside production): introspection and GraphiQL work, suggestions help.
    expect(((await gql(open.url, '{ __schema { queryType { name } } }')).body.data as { __schema: unknown }).__schema).toEqual({
      queryType: { name: 'Query' },
    });
    expect((await gql(open.url, '{ recentLog { edges { cursor } } }')).body.errors?.[0]?.message).toMatch(/did you mean/i);
    expect(await (await fetch(`${open.url}/graphql`, { headers: { accept: 'text/html' } })).text()).toMatch(/graphiql/i);
  });
});

describe('error masking and statement timeouts (PostgreSQL)', () => {
  let storage: TestStorage;
  let production: TestGateway;
  let development: TestGateway;
  let admin: pg.Client;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const env = { STATEMENT_TIMEOUT_MS: '400' };
    production = await startTestGateway('postgres', {
      storage,
      keepStorage: true,
      env: { ...env, NODE_ENV: 'production', INGEST_TOKEN: 'test-ingest-token-0123456789', ALLOW_ANONYMOUS_DASHBOARD: 'true' },
    });
    development = await startTestGateway('postgres', { storage, keepStorage: true, env });
    admin = new pg.Client({ connectionString: storage.databaseUrl });
    await admin.connect();
    expect((await production.ingest(jsonLines([record({ path: '/masked' })]))).status).toBe(200);
  });
  afterAll(async () => {
    await admin?.end();
    await Promise.all([production?.close(), development?.close()]);
    await storage?.drop();
  });

  const RECENT = '{ recentLogs(first: 5) { edges { node { path } } } }';

  it('answers a query stuck behind a lock with QUERY_TIMEOUT once statement_timeout fires, and ingest with a retryable 503', async () => {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE logs IN ACCESS EXCLUSIVE MODE');
    try {
      for (const gw of [production, development]) {
        const result = await gql(gw.url, RECENT);
        expect(result.status).toBeLessThan(500);
        expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TIMEOUT');
        expect(result.body.errors?.[0]?.message).toMatch(/STATEMENT_TIMEOUT_MS/);
      }
      const ingest = await production.ingest(jsonLines([record({ path: '/during-lock' })]));
      expect(ingest.status).toBe(503);
      expect(ingest.headers.get('retry-after')).toBeTruthy();
    } finally {
      await admin.query('ROLLBACK');
    }
    expect((await gql(production.url, RECENT)).body.errors).toBeUndefined();
  });

  it('hides messages, SQL and stacks of unexpected errors in production (and shows them in development)', async () => {
    await admin.query('ALTER TABLE logs RENAME TO logs_moved');
    try {
      const masked = await gql(production.url, RECENT);
      expect(masked.body.errors?.[0]?.message).toBe('Unexpected error.');
      expect(masked.text).not.toMatch(/relation|logs_moved|SELECT|FROM|stack|\.ts:|node_modules|originalError/i);

      const shown = await gql(development.url, RECENT);
      expect(JSON.stringify(shown.body.errors?.[0]?.extensions?.originalError)).toContain('relation \\"logs\\" does not exist');
    } finally {
      await admin.query('ALTER TABLE logs_moved RENAME TO logs');
    }
    expect((await gql(production.url, RECENT)).body.errors).toBeUndefined();
  });
});
