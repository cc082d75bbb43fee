import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../config/config.js';
import { reportError } from '../observability/errorReporter.js';
import type { Logger } from '../observability/logger.js';

export interface RunningService {
  readonly service: { close(): Promise<void> };
  readonly logger: Logger;
  /** How long a graceful close may take before the process exits anyway (`SHUTDOWN_GRACE_MS`). */
  readonly graceMs: number;
  /** Closed after the service, so the last spans and error reports go out. */
  readonly telemetry?: { close(): Promise<void> };
}

/**
 * The life of a service process, shared by every `main.ts`: `start` wires and starts it (or
 * returns null for a one-shot command that has finished); SIGINT/SIGTERM or a fatal error then
 * close it once, within the grace period. A failed start exits 1 with the reason on stderr — only
 * the message for a configuration error, which names the variable to fix.
 */
export function runService(start: () => Promise<RunningService | null>): void {
  start().then(
    (running) => {
      if (running === null) return;
      closeWithGrace({ delay: running.graceMs }, async ({ signal, err }) => {
        if (err) {
          running.logger.error({ err }, 'shutting down after an error');
          reportError(err, { fatal: true });
        } else running.logger.info({ signal }, 'shutting down');
        await running.service.close();
        await running.telemetry?.close();
      });
    },
    (error: unknown) => {
      process.stderr.write(
        error instanceof ConfigError
          ? `${error.message}\n`
          : `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
