import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { ReadGate } from './readGate.js';
import type { RouteRegistrar } from './route.js';
import type { AppState } from './state.js';

export interface RegistrarOptions {
  readonly prefix: string;
  readonly authenticate: Middleware<AppState>;
  readonly afterAuth: readonly Middleware<AppState>[];
  readonly readGate?: ReadGate;
}

/** The API router plus the OpenAPI registry its routes describe themselves in. */
export function createRegistrar(options: RegistrarOptions): RouteRegistrar {
  return {
    router: new Router<AppState>({ prefix: options.prefix }),
    registry: new OpenAPIRegistry(),
    prefix: options.prefix,
    authenticate: options.authenticate,
    afterAuth: options.afterAuth,
    ...(options.readGate ? { readGate: options.readGate } : {}),
  };
}
