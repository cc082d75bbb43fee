/**
 * The slice of a pino logger the projector uses; platform's `createLogger()` satisfies it,
 * and tests can pass a recorder.
 */
export interface ProjectorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ProjectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
