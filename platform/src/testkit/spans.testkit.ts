/** The in-process collector of trace tests: pass it as `startTracing({ spanExporter })`. */
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
