import type { ServerResponse } from 'node:http';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL served entirely from the gateway. Yoga's default page loads GraphiQL from a CDN, so it
 * stays blank without internet. `@graphql-yoga/render-graphiql` bundles the same UI (script,
 * styles, fonts, Monaco's workers), but renders it as one inline script, which the dashboard's
 * Content-Security-Policy (`script-src 'self'`) forbids. So the page here is static HTML that
 * loads each piece as a same-origin file under ASSET_PREFIX, and its options travel as inert JSON.
 *
 * The bundle is about 9 MB of strings: it is imported on the first GraphiQL request only.
 */
export const GRAPHIQL_ASSET_PREFIX = '/graphql/graphiql-assets/';

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');

const ASSETS: Record<string, { type: string; pick: (b: Bundle) => string }> = {
  'graphiql.js': { type: 'text/javascript; charset=utf-8', pick: (b) => b.js },
  'graphiql.css': { type: 'text/css; charset=utf-8', pick: (b) => b.css },
  'editor.worker.js': { type: 'text/javascript; charset=utf-8', pick: (b) => b.editorWorkerService },
  'json.worker.js': { type: 'text/javascript; charset=utf-8', pick: (b) => b.jsonWorker },
  'graphql.worker.js': { type: 'text/javascript; charset=utf-8', pick: (b) => b.graphqlWorker },
  'start.js': { type: 'text/javascript; charset=utf-8', pick: () => START },
};

// Monaco asks for a worker by label; same-origin worker scripts pass `script-src 'self'`.
const START = `self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: function (_moduleId, label) {
    var file = label === 'json' ? 'json' : label === 'graphql' ? 'graphql' : 'editor';
    return '${GRAPHIQL_ASSET_PREFIX}' + file + '.worker.js';
  },
};
window.addEventListener('DOMContentLoaded', function () {
  var options = JSON.parse(document.getElementById('graphiql-options').textContent || '{}');
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
});
`;

let bundle: Promise<Bundle> | undefined;
const encoded = new Map<(typeof ASSETS)[string], Buffer>();
const loadBundle = () => (bundle ??= import('@graphql-yoga/render-graphiql/graphiql'));

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Yoga's `renderGraphiQL`: the page shell; `<` is escaped in the JSON so it cannot close the script element. */
export function renderOfflineGraphiQL(options: GraphiQLOptions): string {
  const json = JSON.stringify(options ?? {}).replace(/</g, '\\u003c');
  const asset = (name: string) => `${GRAPHIQL_ASSET_PREFIX}${name}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(options?.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset('graphiql.css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${json}</script>
    <script src="${asset('graphiql.js')}"></script>
    <script src="${asset('start.js')}"></script>
  </body>
</html>`;
}

/** Answers GET/HEAD for one GraphiQL asset (404 for any other name); long-cached, since the names are fixed per install. */
export async function serveGraphiQLAsset(pathname: string, method: string | undefined, res: ServerResponse): Promise<void> {
  const asset = ASSETS[pathname.slice(GRAPHIQL_ASSET_PREFIX.length)];
  if (!asset || (method !== 'GET' && method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
    return;
  }
  const body = encoded.get(asset) ?? Buffer.from(asset.pick(await loadBundle()));
  encoded.set(asset, body);
  res.writeHead(200, { 'content-type': asset.type, 'content-length': body.length, 'cache-control': 'public, max-age=3600' });
  res.end(method === 'HEAD' ? undefined : body);
}
