import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import sirv from 'sirv';

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>logpulse</title></head>
<body style="font-family:system-ui;margin:3rem;max-width:40rem">
<h1>logpulse gateway</h1>
<p>The dashboard build was not found. Run <code>npm run build -w web</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p>GraphQL (with GraphiQL) is at <a href="/graphql">/graphql</a>.</p></body></html>`;

/**
 * Serves the dashboard's production build (a single-page app: unknown paths get index.html),
 * or a short placeholder page when it has not been built.
 */
export function createWebHandler(distDir: string): (req: IncomingMessage, res: ServerResponse) => void {
  const dir = resolve(distDir);
  const hasBuild = existsSync(resolve(dir, 'index.html'));
  const serve = hasBuild ? sirv(dir, { single: true, etag: true, gzip: true, brotli: true, immutable: false }) : null;
  return (req, res) => {
    if (serve) {
      serve(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PLACEHOLDER);
  };
}
