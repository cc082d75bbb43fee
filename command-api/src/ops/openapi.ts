import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

export interface OpenApiInfo {
  readonly version: string;
  /** Where the API lives, e.g. `/api/v1` (the paths in the registry already carry it). */
  readonly apiPrefix: string;
}

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The bearer scheme every authenticated route refers to (`security: [{ bearerAuth: [] }]`). */
export function registerSecuritySchemes(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from POST /auth/login, /auth/register or /auth/refresh',
  });
}

/**
 * OpenAPI 3.1 from the same zod schemas that validate requests. Built on first use, after every
 * route module has registered, then served from memory.
 */
export function openApiDocument(registry: OpenAPIRegistry, info: OpenApiInfo): () => OpenApiDocument {
  let document: OpenApiDocument | undefined;
  return () => {
    document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'PrimeTrade Task Manager API',
        version: info.version,
        description:
          'Real-time, event-sourced shared task board. Errors are application/problem+json with a stable `code`.',
      },
      servers: [{ url: '/' }],
    });
    return document;
  };
}
