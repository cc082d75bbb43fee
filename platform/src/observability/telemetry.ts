import type { Config } from '../config/config.js';
import { createErrorReporter, installErrorReporter, type ErrorReporter } from './errorReporter.js';
import type { Logger } from './logger.js';
import { startTracing, type Tracing } from './tracing.js';

export interface Telemetry {
  readonly tracing: Tracing;
  readonly errors: ErrorReporter | null;
  /** Sends what is pending (bounded by the exporters' timeouts) and turns both off. */
  close(): Promise<void>;
}

/**
 * Traces and the error-reporting hook for one process, from config (both off by default). Called
 * once by each `main.ts` before the service starts; `runService` closes it after the service.
 */
export async function startTelemetry(config: Config, role: string, logger: Logger): Promise<Telemetry> {
  const serviceName = config.OTEL_SERVICE_NAME ?? (role === 'embedded' ? 'primetrade' : `primetrade-${role}`);
  const tracing = await startTracing({
    exporter: config.OTEL_EXPORTER,
    endpoint: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`,
    serviceName,
    sampleRatio: config.OTEL_TRACES_SAMPLER_RATIO,
  });
  if (tracing.enabled) logger.info({ exporter: config.OTEL_EXPORTER, serviceName }, 'tracing on');
  const errors = config.ERROR_REPORTING_DSN
    ? createErrorReporter({
        dsn: config.ERROR_REPORTING_DSN,
        service: serviceName,
        environment: config.NODE_ENV,
        onDeliveryError: (error) =>
          logger.warn({ err: error }, 'error reporting endpoint unreachable; reports are dropped'),
      })
    : null;
  installErrorReporter(errors);
  return {
    tracing,
    errors,
    async close() {
      await errors?.flush();
      installErrorReporter(null);
      await tracing
        .shutdown()
        .catch((error: unknown) => logger.warn({ err: error }, 'trace export at shutdown failed'));
    },
  };
}
