import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1: headers about one connection, never forwarded (plus the legacy proxy ones). */
const hopByHop = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings',
]);

/** Headers the front door sets itself: a client must not be able to choose them. */
const ownHeaders = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'forwarded', 'x-request-id']);

/** Same rule as the command-api: a sane incoming id is kept, anything else replaced. */
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && saneRequestId.test(incoming) ? incoming : randomUUID();
}

/** Every header except the hop-by-hop ones, including those the `Connection` header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set((headers.connection ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || named.has(name)) continue;
    result[name] = value;
  }
  return result;
}

const clientAddress = (req: IncomingMessage): string => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/**
 * The headers sent upstream. The front door is the edge, so `X-Forwarded-*` are replaced, not
 * appended to: the command-api trusts the first `X-Forwarded-For` entry for rate limiting, and a
 * client-supplied one would let it choose its own key.
 */
export function upstreamRequestHeaders(req: IncomingMessage, requestId: string): OutgoingHttpHeaders {
  const headers = endToEndHeaders(req.headers);
  for (const name of ownHeaders) delete headers[name];
  headers['x-forwarded-for'] = clientAddress(req);
  headers['x-forwarded-proto'] = 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  headers['x-request-id'] = requestId;
  return headers;
}

/** True when the request carries a body (RFC 9112 §6.3): it can then be streamed once only. */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}
