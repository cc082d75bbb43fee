import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The front door's own error codes, in the command-api's problem+json shape (DESIGN §5). They stay
 * here rather than in `domain`: the web client sees them only as "the cluster is unwell".
 */
export const frontDoorErrors = {
  'VALIDATION.FAILED': 400,
  'PATH.FORBIDDEN': 403,
  'ROUTE.NOT_FOUND': 404,
  'METHOD.NOT_ALLOWED': 405,
  INTERNAL: 500,
  'UPSTREAM.UNAVAILABLE': 502,
  'UPSTREAM.TIMEOUT': 504,
} as const;

export type FrontDoorErrorCode = keyof typeof frontDoorErrors;

export interface ProblemContext {
  readonly requestId: string;
  /** The request path, reported as the problem's `instance`. */
  readonly path: string;
}

export function problemBody(code: FrontDoorErrorCode, detail: string, context: ProblemContext): string {
  const status = frontDoorErrors[code];
  return JSON.stringify({
    type: `urn:primetrade:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: context.path,
    requestId: context.requestId,
  });
}

export function sendProblem(res: ServerResponse, code: FrontDoorErrorCode, detail: string, context: ProblemContext, headers: Record<string, string> = {}): void {
  const body = problemBody(code, detail, context);
  res.writeHead(frontDoorErrors[code], {
    ...headers,
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Request-Id': context.requestId,
  });
  res.end(body);
}

/** The same problem written straight to a socket whose HTTP exchange was an upgrade request. */
export function writeRawProblem(socket: Duplex, code: FrontDoorErrorCode, detail: string, context: ProblemContext): void {
  if (socket.destroyed || !socket.writable) return;
  const status = frontDoorErrors[code];
  const body = problemBody(code, detail, context);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${context.requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
