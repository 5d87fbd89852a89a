import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogpulseMcpServer, httpGraphQLRunner } from './index.ts';

const USAGE = `logpulse-mcp: the logpulse analyses as MCP tools over stdio.

Usage: logpulse-mcp --url http://gateway:8000 [--token DASHBOARD_TOKEN]
  --url     the gateway (env LOGPULSE_URL; default http://127.0.0.1:8000)
  --token   the gateway's DASHBOARD_TOKEN, if it has one (env LOGPULSE_TOKEN)`;

// stdout is the protocol channel: everything for people goes to stderr.
let options;
try {
  options = parseArgs({
    options: { url: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }).values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(0);
}
const url = options.url ?? process.env.LOGPULSE_URL ?? 'http://127.0.0.1:8000';
try {
  new URL(url);
} catch {
  process.stderr.write(`--url must be an http(s) URL, got "${url}"\n\n${USAGE}\n`);
  process.exit(2);
}
const server = createLogpulseMcpServer(httpGraphQLRunner(url, options.token ?? process.env.LOGPULSE_TOKEN));
await server.connect(new StdioServerTransport());
process.stderr.write(`logpulse-mcp: serving ${url} over stdio\n`);
