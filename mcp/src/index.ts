import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerLogpulseTools, SERVER_INSTRUCTIONS, type GraphQLRunner } from './tools.ts';

export { TOOL_NAMES, type GraphQLResponse, type GraphQLRunner } from './tools.ts';
export { httpGraphQLRunner } from './graphql-http.ts';

/** Version reported to MCP clients. */
const SERVER_VERSION = '1.0.0';

/** An MCP server with every logpulse tool, answering through `run` (not yet connected to a transport). */
export function createLogpulseMcpServer(run: GraphQLRunner): McpServer {
  const server = new McpServer({ name: 'logpulse', version: SERVER_VERSION }, { instructions: SERVER_INSTRUCTIONS });
  registerLogpulseTools(server, run);
  return server;
}
