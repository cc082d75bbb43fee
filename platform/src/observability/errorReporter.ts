import { randomUUID } from 'node:crypto';

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
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) };
    return fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 3_000) }).then(
      async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`error reporting endpoint answered ${response.status}`);
        failing = false;
      },
    ).catch((error: unknown) => {
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

function errorDocument(error: unknown, context: Readonly<Record<string, unknown>> | undefined, options: ErrorReporterOptions) {
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

// ── redaction ────────────────────────────────────────────────────────────────────────────────

/** Keys whose values never leave the process, whatever they hold. */
const secretKey = /pass(word)?|secret|token|authori[sz]ation|cookie|api[-_]?key|dsn|credential|email|e-mail|phone|session|^name$|displayName/i;

const textRules: readonly [RegExp, string][] = [
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer [redacted]'],
  [/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[redacted-jwt]'],
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[redacted-email]'],
  // Credentials in connection strings: postgres://user:secret@host → postgres://[redacted]@host.
  [/\/\/[^/\s:@]+:[^/\s@]+@/g, '//[redacted]@'],
];

export function redactText(text: string): string {
  const bounded = text.length > 8_000 ? `${text.slice(0, 8_000)}…` : text;
  return textRules.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), bounded);
}

/** A copy safe to send: secret-named keys dropped to `[redacted]`, text scrubbed, depth and size bounded. */
export function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (seen.has(value) || depth >= 6) return '[…]';
  seen.add(value);
  if (value instanceof Error) return { type: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redact(item, depth + 1, seen));
  const entries = Object.entries(value).slice(0, 100);
  return Object.fromEntries(entries.map(([key, item]) => [key, secretKey.test(key) ? '[redacted]' : redact(item, depth + 1, seen)]));
}
