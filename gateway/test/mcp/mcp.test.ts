import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { TOOL_NAMES } from '@logpulse/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '@logpulse/testkit/wait-for';

/**
 * The MCP server driven by the SDK's own client over both transports: stdio (the logpulse-mcp
 * bin, a separate process talking GraphQL over HTTP to the gateway) and Streamable HTTP (the
 * gateway's /mcp). Both must list the same tools and answer each from the same data.
 */

const DASHBOARD_TOKEN = 'mcp-dashboard-token-0123456789';
const ROOT = resolve(import.meta.dirname, '../../..');

/** The stdio server as the README starts it: `npx logpulse-mcp --url … [--token …]` from a clone. */
const stdioServer = (url: string, token?: string) =>
  new StdioClientTransport({ command: 'npx', args: ['logpulse-mcp', '--url', url, ...(token ? ['--token', token] : [])], cwd: ROOT, stderr: 'pipe' });

interface ToolText {
  isError?: boolean;
  content: { type: string; text: string }[];
}

function seed(): object[] {
  const now = Date.now();
  const records: object[] = [];
  for (let i = 0; i < 40; i++) {
    const at = new Date(now - 60_000 - i * 5_000).toISOString();
    records.push({ timestamp: at, service: 'shop', path: `/api/users/${i}`, method: 'GET', status: 200, latency_ms: 20 + i, ip_address: '10.0.0.1', user_agent: 'mcp-test' });
    if (i % 4 === 0) records.push({ timestamp: at, service: 'shop', path: '/api/checkout', method: 'POST', status: 500, latency_ms: 900 + i, ip_address: '10.0.0.2' });
    if (i % 10 === 0) records.push({ timestamp: at, service: 'search', path: '/search', method: 'GET', status: 404, latency_ms: 5 });
  }
  return records;
}

/** One call per tool, with arguments a user's assistant would send. */
const CALLS: Record<string, Record<string, unknown>> = {
  traffic: { last: '1h' },
  slow_endpoints: { last: '1h', limit: 3 },
  endpoint_usage: { sort: 'ERRORS', limit: 5 },
  errors: { last: '1h', service: 'shop' },
  endpoint_detail: { route: '/api/checkout', method: 'post' },
  anomalies: { last: '1h', sensitivity: 'HIGH' },
  window_summary: { last: '15m', service: 'shop' },
  recommendations: { last: '1h' },
  recent_logs: { statusClass: 5, first: 5 },
  services: {},
  endpoints: { service: 'shop' },
  alerts: { last: '1h' },
};

const TRANSPORTS: [string, (gw: TestGateway, token: string) => Transport][] = [
  ['stdio (npx logpulse-mcp, over GraphQL/HTTP)', (gw, token) => stdioServer(gw.url, token)],
  ['Streamable HTTP (/mcp)', (gw, token) => new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } })],
];

describe('MCP server', () => {
  let gw: TestGateway;
  /** GraphQL as the dashboard sends it (the test gateway's helper sends no token). */
  const dashboardGraphql = async (query: string, variables?: Record<string, unknown>): Promise<unknown> =>
    (
      await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DASHBOARD_TOKEN}` },
        body: JSON.stringify({ query, variables }),
      })
    ).json();
  beforeAll(async () => {
    gw = await startTestGateway('postgres', { env: { DASHBOARD_TOKEN, ALERTS_TICK_MS: '100', ALERTS_LEASE_MS: '1000' } });
    const res = await gw.ingest(jsonLines(seed()));
    expect(await res.json()).toMatchObject({ accepted: 54, rejected: 0 });
    // shop answers 10 of 50 requests with 500: a 20 % 5xx rate, which this rule fires on.
    const rule = (await dashboardGraphql(`mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }`, {
      input: { name: 'shop 5xx', kind: 'SERVER_ERROR_RATE', threshold: 0.1, service: 'shop', windowSeconds: 3600, intervalSeconds: 1, minRequests: 10, severity: 'CRITICAL' },
    })) as { errors?: unknown };
    expect(rule.errors).toBeUndefined();
    await waitFor('the shop 5xx alert to fire', async () => {
      const r = (await dashboardGraphql(`{ alerts(state: [FIRING]) { rule { name } } }`)) as { data?: { alerts: { rule: { name: string } }[] } };
      return r.data?.alerts.some((a) => a.rule.name === 'shop 5xx') ?? false;
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  describe.each(TRANSPORTS)('over %s', (_name, transportFor) => {
    let client: Client;
    beforeAll(async () => {
      client = new Client({ name: 'logpulse-test', version: '1.0.0' });
      await client.connect(transportFor(gw, DASHBOARD_TOKEN));
    });
    afterAll(async () => {
      await client?.close();
    });
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolText;

    it('lists every tool with a description and a JSON schema of its arguments', async () => {
      expect(client.getInstructions()).toContain('untrusted data');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
      expect(Object.keys(CALLS).sort()).toEqual([...TOOL_NAMES].sort());
      for (const t of tools) {
        expect(t.description?.length).toBeGreaterThan(40);
        expect(t.inputSchema.type).toBe('object');
        expect(t.annotations?.readOnlyHint).toBe(true);
      }
      const detail = tools.find((t) => t.name === 'endpoint_detail')!;
      expect(detail.inputSchema.required).toEqual(expect.arrayContaining(['route', 'method']));
      expect(detail.inputSchema.properties?.route).toMatchObject({ type: 'string', description: expect.stringContaining('templated route') });
    });

    it.each(Object.entries(CALLS))('answers %s with a summary and compact JSON', async (name, args) => {
      const result = await call(name, args);
      expect(result.isError ?? false, result.content[0]?.text).toBe(false);
      expect(result.content).toHaveLength(2);
      expect(result.content[0]!.text.length).toBeGreaterThan(5);
      expect(() => JSON.parse(result.content[1]!.text)).not.toThrow();
    });

    it('reports the same figures the gateway stored', async () => {
      const traffic = JSON.parse((await call('traffic', { last: '1h' })).content[1]!.text);
      expect(traffic.total).toMatchObject({ requests: 54, errors5xx: 10, errors4xx: 4 });
      const detail = await call('endpoint_detail', { route: '/api/checkout', method: 'POST', service: 'shop' });
      expect(detail.content[0]!.text).toMatch(/^POST \/api\/checkout in the last 1h: 10 requests/);
      const logs = JSON.parse((await call('recent_logs', { statusClass: 5, first: 3 })).content[1]!.text);
      expect(logs.logs).toHaveLength(3);
      expect(logs.hasMore).toBe(true);
      const next = JSON.parse((await call('recent_logs', { statusClass: 5, first: 50, after: logs.endCursor })).content[1]!.text);
      expect(next.logs).toHaveLength(7);
      const summary = await call('window_summary', { last: '15m' });
      const findings = JSON.parse(summary.content[1]!.text);
      expect(findings).toMatchObject({ severity: 'CRITICAL', worstEndpoint: 'shop POST /api/checkout' });
      expect(summary.content[0]!.text).toMatch(/^\[CRITICAL\] /);
      expect(findings.evidence.length).toBeGreaterThan(0);
      const services = JSON.parse((await call('services', {})).content[1]!.text);
      expect(services.services.map((s: { service: string }) => s.service)).toEqual(['shop', 'search']);
    });

    it('alerts: what is firing now and the recent history, scoped by service', async () => {
      const result = await call('alerts', { last: '1h' });
      expect(result.content[0]!.text).toMatch(/^1 firing: \[CRITICAL\] shop 5xx: 20\.0 % \(5xx rate > 10\.0 % over 60m \(shop\)\)\. 1 notified transitions in the last 1h\.$/);
      const json = JSON.parse(result.content[1]!.text);
      expect(json.active).toEqual([expect.objectContaining({ state: 'FIRING', rule: 'shop 5xx', severity: 'CRITICAL', value: 0.2, valueText: '20.0 %' })]);
      expect(json.history).toEqual([expect.objectContaining({ kind: 'FIRING', rule: 'shop 5xx', severity: 'CRITICAL', value: 0.2 })]);
      const search = await call('alerts', { service: 'search' });
      expect(search.content[0]!.text).toBe('Nothing firing. 0 notified transitions in the last 1h.');
      expect(JSON.parse(search.content[1]!.text)).toEqual({ active: [], history: [] });
      const tools = (await client.listTools()).tools;
      expect(tools.find((t) => t.name === 'alerts')!.inputSchema.properties?.limit).toMatchObject({ type: 'integer', maximum: 200 });
    });

    it('answers bad arguments with a tool error, and the server keeps working', async () => {
      const wrongType = await call('slow_endpoints', { limit: 'many' });
      expect(wrongType.isError).toBe(true);
      expect(wrongType.content[0]!.text).toMatch(/limit/);
      const missing = await call('endpoint_detail', { method: 'GET' });
      expect(missing.isError).toBe(true);
      expect(missing.content[0]!.text).toMatch(/route/);
      const badWindow = await call('traffic', { last: 'forever' });
      expect(badWindow.isError).toBe(true);
      // Longer than the gateway's AI_MAX_ANALYZE_WINDOW_MINUTES: refused by the gateway with the reason.
      const tooLong = await call('window_summary', { last: '2h' });
      expect(tooLong.isError).toBe(true);
      expect(tooLong.content[0]!.text).toMatch(/at most 60 minutes/);
      // Passes the schema, refused by the gateway: still a tool error with its reason.
      const badTime = await call('traffic', { from: 'yesterday-ish' });
      expect(badTime.isError).toBe(true);
      expect(badTime.content[0]!.text).toMatch(/logpulse refused the request: .*DateTime/i);
      expect((await call('services', {})).isError ?? false).toBe(false);
    });
  });

  it('follows the DASHBOARD_TOKEN rules on both transports', async () => {
    const http = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(http.status).toBe(401);
    const refused = new Client({ name: 'no-token', version: '1.0.0' });
    await expect(refused.connect(TRANSPORTS[1]![1](gw, 'wrong-token'))).rejects.toThrow();

    // The stdio server starts without the gateway's consent; its tools say why they cannot answer.
    const stdio = new Client({ name: 'wrong-token', version: '1.0.0' });
    await stdio.connect(TRANSPORTS[0]![1](gw, 'wrong-token'));
    try {
      const result = (await stdio.callTool({ name: 'services', arguments: {} })) as ToolText;
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toContain('refused the token (HTTP 401)');
    } finally {
      await stdio.close();
    }
  });

  it('stdio: an unreachable gateway is a tool error naming it, not a crash', async () => {
    const client = new Client({ name: 'unreachable', version: '1.0.0' });
    // As the README's mcpServers entry starts it: node and the bin's absolute path, from any directory.
    const bin = resolve(ROOT, 'mcp/bin/logpulse-mcp.mjs');
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, '--url', 'http://127.0.0.1:9'], cwd: tmpdir(), stderr: 'pipe' }));
    try {
      const result = (await client.callTool({ name: 'traffic', arguments: {} })) as ToolText;
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toContain('no answer from http://127.0.0.1:9/graphql');
      expect((await client.listTools()).tools).toHaveLength(TOOL_NAMES.length);
    } finally {
      await client.close();
    }
  });

  it('refuses what is not a stateless MCP request', async () => {
    const auth = { authorization: `Bearer ${DASHBOARD_TOKEN}` };
    expect((await fetch(`${gw.url}/mcp`, { headers: auth })).status).toBe(405);
    const garbage = await fetch(`${gw.url}/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{not json' });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
  });
});
