import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { errorStatus, type ErrorCode } from '@primetrade/domain';
import type Koa from 'koa';
import type { Problem } from './problem.js';
import { titles } from './problem.js';

/** Node's parser codes for what it refuses before any handler runs. */
function refusalOf(error: NodeJS.ErrnoException): { code: ErrorCode; detail: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return { code: 'REQUEST.HEADERS_TOO_LARGE', detail: 'The request line and headers are too large' };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { code: 'REQUEST.TIMEOUT', detail: 'The request was not sent in time' };
  return { code: 'VALIDATION.FAILED', detail: 'The request is not valid HTTP' };
}

/**
 * Node answers a request it cannot parse itself (malformed HTTP, headers beyond 16 KiB, a request
 * not sent in time) with a bare status and no body. Every refusal of the API is a problem+json with
 * a stable code, so the same answer is written here, then the connection is closed (its state is
 * unknown after a parse error).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { code, detail } = refusalOf(error);
  const status = errorStatus[code];
  const problem: Problem = {
    type: `urn:primetrade:problem:${code}`,
    title: titles[status] ?? 'Error',
    status,
    code,
    detail,
    instance: '',
    requestId: randomUUID(),
  };
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * How long an idle keep-alive connection stays open. A proxy that reuses its connections to the API
 * (nginx's upstream `keepalive`, docs/adr/0015-nginx-front-door.md) must drop idle ones *before* the
 * API does: otherwise a request it sends on a connection the API is closing at that moment fails
 * with 502, and nginx never resends a POST. Node's default (5 s) is shorter than nginx's (60 s); the
 * rendered nginx configuration closes idle upstream connections well before this.
 */
export const API_KEEP_ALIVE_TIMEOUT_MS = 75_000;

/** The API's HTTP server: the Koa app, and problem+json for what Node refuses before the app. */
export function createApiServer<State>(app: Koa<State>): http.Server {
  const handle = app.callback();
  // Koa's handler answers its own errors; the returned promise carries nothing to await here.
  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = API_KEEP_ALIVE_TIMEOUT_MS;
  // Kept above the keep-alive timeout, as Node requires for a reused connection's next request.
  server.headersTimeout = API_KEEP_ALIVE_TIMEOUT_MS + 5_000;
  server.on('clientError', answerClientError);
  return server;
}
