import cors from '@koa/cors';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * helmet's default CSP (scripts only from files on this origin), which Swagger UI and the SPA satisfy
 * because both are served as files. `upgrade-insecure-requests` is dropped: TLS ends at the proxy
 * in front, and embedded mode serves plain http://localhost, where Safari would upgrade and break.
 */
export function securityHeaders(): Middleware {
  return helmet({
    contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } },
  });
}

/** Headers a browser on another allowed origin may read. */
export const exposedHeaders = [
  'ETag',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'Idempotent-Replayed',
  'RateLimit-Limit',
  'RateLimit-Remaining',
];

/**
 * CORS for an allow-list of origins (`*` allows any). Bearer tokens, no cookies: credentials stay off.
 * An origin not on the list gets no CORS headers, so the browser refuses the response.
 */
export function corsAllowList(origins: readonly string[]): Middleware {
  const allowAny = origins.includes('*');
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      if (allowAny) return '*';
      return allowed.has(origin) ? origin : '';
    },
    credentials: false,
    exposeHeaders: exposedHeaders,
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'Min-Revision', 'X-Request-Id'],
    allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    maxAge: 600,
  });
}
