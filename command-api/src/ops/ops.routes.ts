import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from '@koa/router';
import { readinessAnswer, readinessReport, type Metrics, type ReadinessCheck } from '@primetrade/platform';
import type { Middleware } from 'koa';
import { graphiql } from './graphiql.js';
import { openApiDocument } from './openapi.js';
import { swaggerUi } from './swaggerUi.js';

export type { ReadinessCheck } from '@primetrade/platform';

export interface OpsRoutesDeps {
  readonly apiPrefix: string;
  readonly version: string;
  readonly metrics: Metrics;
  readonly readiness: ReadinessCheck;
  readonly registry: OpenAPIRegistry;
}

/**
 * Unprefixed operational endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document
 * and its Swagger UI, GraphiQL for `/graphql`. Mount `router.routes()` then `assets` after the API router.
 */
export function createOpsRouter(deps: OpsRoutesDeps): { router: Router; assets: Middleware } {
  const router = new Router();
  const document = openApiDocument(deps.registry, { version: deps.version, apiPrefix: deps.apiPrefix });
  const specUrl = `${deps.apiPrefix}/openapi.json`;

  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const answer = readinessAnswer(await readinessReport(deps.readiness));
    ctx.set('Cache-Control', 'no-store');
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  router.get(specUrl, (ctx) => {
    ctx.body = document();
  });

  graphiql(router, '/api/graphiql', `${deps.apiPrefix}/graphql`);
  const assets = swaggerUi(router, '/api/docs', specUrl);
  return { router, assets };
}
