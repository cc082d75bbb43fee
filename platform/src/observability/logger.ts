import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  readonly name?: string;
  /** One readable line per record instead of JSON (local development). */
  readonly pretty?: boolean;
}

/** Secrets never reach the log, whatever a caller passes in. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  '*.password',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'token',
];

export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: options.level,
    ...(options.name ? { name: options.name } : {}),
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return options.pretty ? pino(config, prettyStream(process.stdout)) : pino(config);
}

const levelNames: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino-pretty is not a dependency: this small formatter is enough for a terminal. */
function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) out.write(`${formatLine(line)}\n`);
      }
      callback();
    },
  });
}

function formatLine(line: string): string {
  try {
    const {
      level,
      time,
      name,
      msg,
      pid: _pid,
      hostname: _hostname,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const clock = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    const prefix = typeof name === 'string' ? `${name}: ` : '';
    const message = typeof msg === 'string' ? msg : JSON.stringify(msg ?? '');
    return `${clock} ${levelNames[Number(level)] ?? 'LOG'} ${prefix}${message}${extra}`;
  } catch {
    return line;
  }
}

/** The distinct correlation ids of a batch of events, for its log lines (bounded: a batch can be large). */
export function correlationIdsOf(events: readonly { readonly correlationId: string }[], max = 20): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (ids.size >= max) break;
    ids.add(event.correlationId);
  }
  return [...ids];
}
