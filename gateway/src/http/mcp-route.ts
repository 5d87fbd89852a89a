import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogpulseMcpServer, type GraphQLRunner } from '@logpulse/mcp';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '../logger.ts';

/** MCP messages are small JSON-RPC calls; anything bigger is not one. */
const MAX_MCP_BODY_BYTES = 1024 * 1024;

/**
 * POST /mcp: the MCP tools over Streamable HTTP, stateless (a fresh server and transport per
 * request, answered as JSON), so any replica answers any call and nothing is kept between them.
 * The tools run their GraphQL operations in-process through `runnerFor(req)`, i.e. through the
 * same Yoga envelope (limits, masking, context) as /graphql. Authentication (DASHBOARD_TOKEN)
 * happens before this handler.
 */
export function createMcpHandler(runnerFor: (req: IncomingMessage, res: ServerResponse) => GraphQLRunner, logger: Logger) {
  const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
  };

  return async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
      rpcError(res, 405, -32000, 'this MCP endpoint is stateless: send JSON-RPC requests with POST', { allow: 'POST' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readLimited(req, MAX_MCP_BODY_BYTES)).toString('utf8'));
    } catch (error) {
      const tooLarge = error instanceof RangeError;
      rpcError(res, tooLarge ? 413 : 400, tooLarge ? -32600 : -32700, tooLarge ? error.message : `parse error: ${(error as Error).message}`);
      return;
    }
    const server = createLogpulseMcpServer(runnerFor(req, res));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      logger.error({ err: error }, 'MCP request failed');
      rpcError(res, 500, -32603, 'internal error');
    }
  };
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new RangeError(`request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
