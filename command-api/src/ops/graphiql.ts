import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Router } from '@koa/router';

const require = createRequire(import.meta.url);
/** A file of a package whose `exports` do not list it: found from the package's directory. */
const fileOf = (pkg: string, file: string): string => join(dirname(require.resolve(`${pkg}/package.json`)), file);

/** GraphiQL 3's browser build and the React 18 builds it runs on, from node_modules: nothing from a CDN. */
const assets: Readonly<Record<string, { file: string; type: string }>> = {
  'react.js': { file: fileOf('react', 'umd/react.production.min.js'), type: 'application/javascript' },
  'react-dom.js': { file: fileOf('react-dom', 'umd/react-dom.production.min.js'), type: 'application/javascript' },
  'graphiql.js': { file: fileOf('graphiql', 'graphiql.min.js'), type: 'application/javascript' },
  'graphiql.css': { file: fileOf('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

/** Our page: no inline script, so helmet's CSP holds (as ops/swaggerUi.ts). */
const page = (base: string): string => `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>PrimeTrade GraphQL</title>
    <link rel="stylesheet" href="${base}/graphiql.css">
  </head>
  <body style="margin: 0; height: 100vh">
    <div id="graphiql" style="height: 100vh"></div>
    <script src="${base}/react.js"></script>
    <script src="${base}/react-dom.js"></script>
    <script src="${base}/graphiql.js"></script>
    <script src="${base}/init.js"></script>
  </body>
</html>
`;

/**
 * Sends the web client's access token (same origin, `primetrade.session` in localStorage) unless the
 * headers editor names its own `Authorization`; `?query=` pre-fills the editor.
 */
const initializer = (endpoint: string): string => `(function () {
  function sessionToken() {
    try { return JSON.parse(localStorage.getItem('primetrade.session') || 'null').accessToken || null; } catch (e) { return null; }
  }
  var fetcher = GraphiQL.createFetcher({
    url: ${JSON.stringify(endpoint)},
    fetch: function (url, init) {
      var headers = new Headers(init && init.headers);
      var token = sessionToken();
      if (token && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + token);
      return fetch(url, Object.assign({}, init, { headers: headers }));
    },
  });
  var query = new URLSearchParams(location.search).get('query') || undefined;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: '{ me { name email } }', query: query, shouldPersistHeaders: false }),
  );
})();
`;

/** GraphiQL at `base` (e.g. `/api/graphiql`) for `endpoint`; assets read once, on first use. */
export function graphiql(router: Router, base: string, endpoint: string): void {
  const html = page(base);
  const script = initializer(endpoint);
  const cache = new Map<string, Promise<Buffer>>();
  router.get(base, (ctx) => {
    ctx.type = 'html';
    ctx.body = html;
  });
  router.get(`${base}/init.js`, (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = script;
  });
  router.get(`${base}/:asset`, async (ctx, next) => {
    const asset = assets[ctx.params['asset'] ?? ''];
    if (asset === undefined) {
      await next();
      return;
    }
    if (!cache.has(asset.file)) cache.set(asset.file, readFile(asset.file));
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = await cache.get(asset.file);
  });
}
