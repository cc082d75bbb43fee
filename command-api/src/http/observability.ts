import { SpanKind, currentTraceId, inSpan, type Logger, type Metrics } from '@primetrade/platform';
import type { Middleware } from 'koa';
import { Histogram } from 'prom-client';
import type { AppState } from './state.js';

/** Accepted from a proxy or client as is; anything else is replaced (log injection, unbounded size). */
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a sane incoming `X-Request-Id` or makes one, and echoes it on the response. */
export function requestId(newId: () => string): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    ctx.state.requestId = saneRequestId.test(incoming) ? incoming : newId();
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  };
}

/**
 * The `http <route>` span around everything after it (docs/operations.md "Tracing"): a child of the caller's
 * `traceparent` header when there is one. Free when tracing is off.
 */
export function traceRequest(): Middleware<AppState> {
  return async (ctx, next) => {
    let failure: { readonly error: unknown } | undefined;
    const attributes = { 'http.request.method': ctx.method };
    await inSpan(
      `http ${ctx.method}`,
      { kind: SpanKind.SERVER, parent: ctx.get('traceparent') || undefined, attributes },
      async (span) => {
        try {
          await next();
        } catch (error) {
          failure = { error };
        }
        const route = routeOf(ctx);
        const status = statusOf(ctx.status, failure ? (failure.error ?? new Error('undefined thrown')) : undefined);
        span?.updateName(`http ${ctx.method} ${route}`);
        span?.setAttributes({
          'http.route': route,
          'http.response.status_code': status,
          'primetrade.request_id': ctx.state.requestId,
        });
        // A 4xx is the client's answer, not a failed span; a 5xx is.
        if (failure && status >= 500) rethrow(failure.error);
      },
    );
    if (failure) rethrow(failure.error);
  };
}

/** Passes on whatever a later middleware threw, as it was (the problem middleware maps it). */
function rethrow(error: unknown): never {
  throw error;
}

/** The status the response will have, also when an error is on its way to the problem middleware. */
const statusOf = (status: number, error: unknown): number => {
  if (error === undefined) return status;
  const thrown: unknown =
    typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof thrown === 'number' ? thrown : 500;
};

/** `/api/v1/boards/:boardId`, never the raw path: the label set must stay small. */
const routeOf = (ctx: object): string => {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? 'unmatched' : String(matched);
};

const metricName = 'primetrade_http_request_duration_seconds';

function httpHistogram(metrics: Metrics): Histogram<'method' | 'route' | 'status'> {
  // One registry may serve several apps (tests): reuse the histogram instead of registering twice.
  const existing = metrics.registry.getSingleMetric(metricName);
  if (existing) return existing as Histogram<'method' | 'route' | 'status'>;
  return new Histogram({
    name: metricName,
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
}

/**
 * One log line and one histogram sample per request. Only method, path, status and duration are
 * logged: never headers, tokens or bodies.
 */
export function requestLog(logger: Logger, metrics: Metrics): Middleware<AppState> {
  const histogram = httpHistogram(metrics);
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const traceId = currentTraceId();
    ctx.state.logger = logger.child({ requestId: ctx.state.requestId, ...(traceId ? { traceId } : {}) });
    let failure: unknown;
    try {
      await next();
    } catch (error) {
      failure = error ?? new Error('undefined thrown');
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = statusOf(ctx.status, failure);
      const route = routeOf(ctx);
      histogram.observe({ method: ctx.method, route, status: String(status) }, seconds);
      const line = { method: ctx.method, path: ctx.path, route, status, ms: Math.round(seconds * 1e4) / 10 };
      if (status >= 500) ctx.state.logger.error(line, 'request failed');
      else ctx.state.logger.info(line, 'request');
    }
  };
}
