import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Router } from '@koa/router';
import mount from 'koa-mount';
import serve from 'koa-static';
import type { Middleware } from 'koa';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Our page instead of the package's: no inline script, so helmet's CSP holds. */
const page = (base: string): string => `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>PrimeTrade API</title>
    <link rel="stylesheet" href="${base}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${base}/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${base}/swagger-ui-bundle.js"></script>
    <script src="${base}/swagger-ui-standalone-preset.js"></script>
    <script src="${base}/swagger-initializer.js"></script>
  </body>
</html>
`;

const initializer = (specUrl: string): string => `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    persistAuthorization: false,
  });
});
`;

/**
 * Swagger UI from swagger-ui-dist's files (works offline), at `base` (e.g. `/api/docs`), loading
 * `specUrl`. Returns the routes for `router` and the static middleware for the assets.
 */
export function swaggerUi(router: Router, base: string, specUrl: string): Middleware {
  const html = page(base);
  const script = initializer(specUrl);
  for (const path of [base, `${base}/`, `${base}/index.html`]) {
    router.get(path, (ctx) => {
      ctx.type = 'html';
      ctx.body = html;
    });
  }
  router.get(`${base}/swagger-initializer.js`, (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = script;
  });
  return mount(base, serve(swaggerUiDir, { index: false, maxage: 3600_000 }));
}
