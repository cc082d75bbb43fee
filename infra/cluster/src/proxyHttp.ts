import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '@primetrade/platform';
import { endToEndHeaders, hasBody, upstreamRequestHeaders } from './headers.js';
import { sendProblem } from './problem.js';
import { chooseUpstream, UpstreamTimeoutError, type ProxyRoute } from './route.js';
import type { Upstream } from './upstreams.js';

export interface HttpProxyDeps {
  /** Keep-alive connections to the upstreams. */
  readonly agent: http.Agent;
  /** Idle time allowed on an upstream exchange before it becomes a 504. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export type HttpProxy = (req: IncomingMessage, res: ServerResponse, route: ProxyRoute, url: URL, requestId: string) => void;

/**
 * Forwards one request to a node of `route`, streaming the body both ways. A node that refuses the
 * connection is marked down and the request goes to the next one: nothing of it was sent, so this
 * is safe for any method. A failure after connecting is retried only for an idempotent request
 * without a body (a streamed body cannot be replayed) that has no response yet.
 */
export function createHttpProxy(deps: HttpProxyDeps): HttpProxy {
  const { agent, timeoutMs, logger } = deps;

  return (req, res, route, url, requestId) => {
    const context = { requestId, path: url.pathname };
    const headers = upstreamRequestHeaders(req, requestId);
    route.prepare?.(req, url, headers);
    const body = hasBody(req);
    const replayable = !body && idempotentMethods.has(req.method ?? '');
    const tried = new Set<Upstream>();
    let current: ClientRequest | undefined;
    let clientGone = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      current?.destroy();
    });
    req.once('error', () => current?.destroy());

    const attempt = (): void => {
      const upstream = chooseUpstream(route, url, tried);
      if (!upstream) {
        sendProblem(res, 'UPSTREAM.UNAVAILABLE', `No ${route.pool.name} node is available`, context);
        return;
      }
      tried.add(upstream);
      const release = route.pool.acquire(upstream);
      res.once('close', release);
      let connected = false;
      let responded = false;

      const upstreamReq = http.request({
        agent,
        hostname: upstream.host,
        port: upstream.port,
        method: req.method,
        path: url.pathname + url.search,
        headers,
      });
      current = upstreamReq;
      upstreamReq.setTimeout(timeoutMs, () => upstreamReq.destroy(new UpstreamTimeoutError(`no answer from ${upstream.url.origin} within ${timeoutMs} ms`)));
      // The body starts flowing only once connected, so a refused connection has consumed none of it.
      upstreamReq.once('socket', (socket) => {
        const start = (): void => {
          connected = true;
          if (body) req.pipe(upstreamReq);
          else upstreamReq.end();
        };
        if (socket.connecting) socket.once('connect', start);
        else start();
      });

      upstreamReq.once('response', (upstreamRes) => {
        responded = true;
        upstreamRes.once('close', release);
        route.observe?.(req, url, upstream, upstreamRes);
        const responseHeaders = endToEndHeaders(upstreamRes.headers);
        responseHeaders['x-request-id'] ??= requestId;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders);
        upstreamRes.pipe(res);
        upstreamRes.once('error', () => res.destroy());
      });

      upstreamReq.once('error', (error) => {
        release();
        if (clientGone) return;
        if (res.headersSent) {
          // Mid-response: the client must see a cut, not a short body. A finished answer stays (an
          // early 413 while the node dropped the rest of the upload).
          if (!res.writableEnded) res.destroy();
          return;
        }
        if (error instanceof UpstreamTimeoutError) {
          logger.warn({ upstream: upstream.url.origin, requestId, path: url.pathname }, 'front door: upstream timed out');
          sendProblem(res, 'UPSTREAM.TIMEOUT', `The ${route.pool.name} node did not answer in time`, context);
          return;
        }
        if (!connected) {
          route.pool.markDown(upstream);
          logger.warn({ upstream: upstream.url.origin, err: error.message }, 'front door: upstream refused the connection, marked down');
        }
        // A kept-alive socket the node had just closed: the same node may answer on a fresh one.
        if (upstreamReq.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET') tried.delete(upstream);
        if (!connected || (replayable && !responded)) attempt();
        else sendProblem(res, 'UPSTREAM.UNAVAILABLE', `The ${route.pool.name} node failed: ${error.message}`, context);
      });
    };

    attempt();
  };
}
