import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { redactAttributes, redactText } from './redaction.js';

/**
 * OpenTelemetry traces of one command across every stage (docs/operations.md "Tracing"): HTTP → command →
 * append, then relay → bus → projector / socket push, joined by the W3C `traceparent` that the
 * events carry (stored metadata, envelope, Kafka header).
 *
 * Off by default, and then free: every helper below checks one module variable and calls the work
 * directly — no span objects, no context switches, and the SDK is never even imported. The tracer is
 * process-wide (like the OpenTelemetry API itself) so the stages need no new parameters; `main.ts`
 * starts it once through `startTelemetry`.
 */
export type TraceExporterKind = 'none' | 'otlp' | 'console';

export interface TracingOptions {
  readonly exporter: TraceExporterKind;
  /** OTLP/HTTP traces URL, e.g. `http://collector:4318/v1/traces`. */
  readonly endpoint?: string;
  readonly serviceName: string;
  /** Share of new traces recorded (a parent's decision is always followed). Default 1. */
  readonly sampleRatio?: number;
  /** Tests: export here instead (an in-process collector), span by span. */
  readonly spanExporter?: SpanExporter;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is buffered (tests, before exit). */
  flush(): Promise<void>;
  /** Flushes and turns tracing off again (the helpers go back to no-ops). */
  shutdown(): Promise<void>;
}

let tracer: Tracer | null = null;

export const tracingEnabled = (): boolean => tracer !== null;

const offTracing: Tracing = { enabled: false, flush: async () => undefined, shutdown: async () => undefined };

/** Starts the SDK for this process; with `exporter: 'none'` (the default config) nothing is loaded. */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (options.exporter === 'none' && !options.spanExporter) return offTracing;
  if (tracer) throw new Error('Tracing is already started in this process');
  const [{ AsyncLocalStorageContextManager }, { resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]);
  const exporter = redactingExporter(options.spanExporter ?? (await createExporter(options)));
  const processor =
    options.spanExporter || options.exporter === 'console'
      ? new sdk.SimpleSpanProcessor({ exporter })
      : new sdk.BatchSpanProcessor({ exporter });
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  tracer = provider.getTracer('primetrade');
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      tracer = null;
      await provider.shutdown();
      context.disable();
    },
  };
}

async function createExporter(options: TracingOptions): Promise<SpanExporter> {
  if (options.exporter === 'console') return new (await import('@opentelemetry/sdk-trace')).ConsoleSpanExporter();
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter(options.endpoint ? { url: options.endpoint } : {});
}

/**
 * Every exporter sees spans through the redaction of error reports (redaction.ts): exceptions
 * recorded on a span carry the error's message and stack, and attributes may be set anywhere, so
 * the one place all of them pass is the export.
 */
function redactingExporter(inner: SpanExporter): SpanExporter {
  return {
    export: (spans, resultCallback) => inner.export(spans.map(redactSpan), resultCallback),
    shutdown: () => inner.shutdown(),
    forceFlush: async () => inner.forceFlush?.(),
  };
}

function redactSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      span.status.message === undefined ? span.status : { ...span.status, message: redactText(span.status.message) },
    attributes: redactAttributes(span.attributes),
    links: span.links,
    events: span.events.map((event) =>
      event.attributes ? { ...event, attributes: redactAttributes(event.attributes) } : event,
    ),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

// ── traceparent (W3C Trace Context, version 00) ──────────────────────────────────────────────

export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, '0')}`;
}

/** The span context of a well-formed traceparent, by OpenTelemetry's own parser (anything else, e.g. from a client, is ignored). */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const parsed = value === undefined ? null : parseTraceParent(value);
  return parsed ? { ...parsed, isRemote: true } : undefined;
}

/** The traceparent of the active span, to store with the events it writes; undefined when off. */
export function currentTraceparent(): string | undefined {
  if (!tracer) return undefined;
  const span = trace.getActiveSpan();
  return span ? formatTraceparent(span.spanContext()) : undefined;
}

/** `{ traceparent }` of the active span to spread into event metadata; `{}` when off. */
export function currentTraceContext(): { traceparent?: string } {
  const traceparent = currentTraceparent();
  return traceparent === undefined ? {} : { traceparent };
}

/** The active span's trace id for log lines; undefined when off. */
export function currentTraceId(): string | undefined {
  return tracer ? trace.getActiveSpan()?.spanContext().traceId : undefined;
}

// ── spans ────────────────────────────────────────────────────────────────────────────────────

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** Parent from a traceparent (an incoming header, an event); default the active span. */
  readonly parent?: string | undefined;
}

function parentContext(parent: string | undefined): Context {
  const remote = parseTraceparent(parent);
  return remote ? trace.setSpanContext(context.active(), remote) : context.active();
}

function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const failure = error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'non-error thrown');
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}

/** Runs `work` inside a new active span (children nest under it); a rejection marks it failed. */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return work(undefined);
  const span = tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parentContext(options.parent),
  );
  try {
    const result = await context.with(trace.setSpan(context.active(), span), () => work(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/**
 * One hop of events that may belong to many traces (a relay batch, a Kafka batch): one span per
 * distinct `traceparent`, each a child of it; `work` gets the events re-stamped with their new
 * span, so the next hop becomes its child. Events without a traceparent (older events, written with
 * tracing off) make no span.
 */
export async function inEventSpans<E extends { readonly traceparent?: string }, T>(
  name: string,
  options: Omit<SpanOptions, 'parent'>,
  events: readonly E[],
  work: (events: readonly E[]) => Promise<T>,
): Promise<T> {
  if (!tracer) return work(events);
  const spans = new Map<string, { span: Span; traceparent: string }>();
  for (const event of events) {
    if (event.traceparent === undefined || spans.has(event.traceparent) || !parseTraceparent(event.traceparent))
      continue;
    const attributes = {
      ...options.attributes,
      'primetrade.events': events.filter((other) => other.traceparent === event.traceparent).length,
    };
    const span = tracer.startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes },
      parentContext(event.traceparent),
    );
    spans.set(event.traceparent, { span, traceparent: formatTraceparent(span.spanContext()) });
  }
  if (spans.size === 0) return work(events);
  const stamped = events.map((event) => {
    const hop = event.traceparent === undefined ? undefined : spans.get(event.traceparent);
    return hop ? { ...event, traceparent: hop.traceparent } : event;
  });
  try {
    const result = await work(stamped);
    for (const { span } of spans.values()) endSpan(span);
    return result;
  } catch (error) {
    for (const { span } of spans.values()) endSpan(span, error);
    throw error;
  }
}

export { SpanKind };
