import { randomUUID } from 'node:crypto';
import { redact, redactText } from './redaction.js';

/**
 * The optional error-reporting hook (`ERROR_REPORTING_DSN`, Sentry-style): unhandled errors — 500s,
 * crashed or halted consumers, fatal process errors — are POSTed as one JSON document each. A small
 * reporter instead of an SDK: it never blocks the caller, never throws, bounds what is in flight,
 * and redacts secrets and personal data before anything leaves the process.
 */
export interface ErrorReporter {
  /** Fire and forget. */
  report(error: unknown, context?: Readonly<Record<string, unknown>>): void;
  /** Waits for the reports in flight (each bounded by its timeout); for shutdown and tests. */
  flush(): Promise<void>;
}

export interface ErrorReporterOptions {
  /** http(s) URL; user info in it (`https://key@host/…`) is sent as Basic authorization, not in the URL. */
  readonly dsn: string;
  readonly service: string;
  readonly release?: string;
  readonly environment?: string;
  /** Default 3000 ms. */
  readonly timeoutMs?: number;
  /** Reports beyond this many in flight are dropped (an error storm must not pile up sockets). Default 16. */
  readonly maxInFlight?: number;
  /** Told once per failure streak that the endpoint is not answering (never the report itself). */
  readonly onDeliveryError?: (error: unknown) => void;
}

const noopReporter: ErrorReporter = { report: () => undefined, flush: async () => undefined };

let installed: ErrorReporter = noopReporter;

/** Makes `reporter` the process's hook (`startTelemetry` does this); returns the one it replaced. */
export function installErrorReporter(reporter: ErrorReporter | null): ErrorReporter {
  const previous = installed;
  installed = reporter ?? noopReporter;
  return previous;
}

/** Reports to the installed hook; does nothing when none is configured. */
export function reportError(error: unknown, context?: Readonly<Record<string, unknown>>): void {
  installed.report(error, context);
}

export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  const { url, authorization } = splitDsn(options.dsn);
  const inFlight = new Set<Promise<void>>();
  let failing = false;

  function send(body: string): Promise<void> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      ...(authorization ? { Authorization: authorization } : {}),
    };
    return fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 3_000) })
      .then(async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`error reporting endpoint answered ${response.status}`);
        failing = false;
      })
      .catch((error: unknown) => {
        if (!failing) options.onDeliveryError?.(error);
        failing = true;
      });
  }

  return {
    report(error, context) {
      try {
        if (inFlight.size >= (options.maxInFlight ?? 16)) return;
        const delivery = send(JSON.stringify(errorDocument(error, context, options)));
        inFlight.add(delivery);
        void delivery.finally(() => inFlight.delete(delivery));
      } catch {
        // Reporting must never become the failure.
      }
    },
    async flush() {
      await Promise.all([...inFlight]);
    },
  };
}

function splitDsn(dsn: string): { url: string; authorization: string | null } {
  const parsed = new URL(dsn);
  if (!parsed.username) return { url: parsed.toString(), authorization: null };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function errorDocument(
  error: unknown,
  context: Readonly<Record<string, unknown>> | undefined,
  options: ErrorReporterOptions,
) {
  const asError = error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'non-error thrown');
  return {
    eventId: randomUUID(),
    timestamp: new Date().toISOString(),
    level: 'error',
    platform: 'node',
    service: options.service,
    ...(options.release ? { release: options.release } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
    exception: {
      type: asError.name,
      message: redactText(asError.message),
      stack: redactText(asError.stack ?? ''),
      ...codeOf(asError),
    },
    context: redact(context ?? {}, 0, new WeakSet()),
  };
}

/** Stable error codes (`TASK.NOT_FOUND`, `ECONNREFUSED`) group reports well and carry no data. */
function codeOf(error: Error): { code?: string } {
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}
