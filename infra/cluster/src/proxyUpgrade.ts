import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@primetrade/platform';
import { endToEndHeaders, upstreamRequestHeaders } from './headers.js';
import { writeRawProblem } from './problem.js';
import { chooseUpstream, UpstreamTimeoutError, type ProxyRoute } from './route.js';
import type { Upstream } from './upstreams.js';

export interface UpgradeProxyDeps {
  /** Time allowed for the upstream's answer to the upgrade request. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export interface UpgradeProxy {
  forward(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute, url: URL, requestId: string): void;
  /** Upgraded connections currently piped. */
  readonly open: number;
  /** Destroys both ends of every upgraded connection. */
  closeAll(): void;
}

/** A socket that was asked to end but whose peer never closes is destroyed after this. */
const lingerMs = 2000;

function statusBlock(response: IncomingMessage, extra: readonly string[] = []): string {
  const lines = [`HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ''}`];
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  return `${[...lines, ...extra].join('\r\n')}\r\n\r\n`;
}

/** A refused upgrade (e.g. 400 for an unknown session): the answer is relayed, then the socket closes. */
function relayRefusal(socket: Duplex, response: IncomingMessage): void {
  const headers = endToEndHeaders(response.headers);
  const lines = [`HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ''}`];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(item)}`);
  }
  socket.write(`${[...lines, 'Connection: close'].join('\r\n')}\r\n\r\n`);
  response.pipe(socket);
}

/**
 * Websocket (and any other `Upgrade`) requests: the upstream's 101 is relayed and the two sockets
 * are piped both ways. When one side closes, the other is ended (its queued bytes, such as a close
 * frame, still go out) and destroyed if its peer lingers; an error on either destroys both.
 */
export function createUpgradeProxy(deps: UpgradeProxyDeps): UpgradeProxy {
  const { timeoutMs, logger } = deps;
  const tunnels = new Set<() => void>();

  function tunnel(client: Duplex, server: Duplex, release: () => void): void {
    let closed = 0;
    const destroyBoth = (): void => {
      client.destroy();
      server.destroy();
    };
    const onClose = (other: Duplex) => (): void => {
      release();
      closed++;
      if (closed === 2) {
        tunnels.delete(destroyBoth);
        return;
      }
      other.end();
      setTimeout(() => other.destroy(), lingerMs).unref();
    };
    tunnels.add(destroyBoth);
    client.on('error', destroyBoth);
    server.on('error', destroyBoth);
    client.once('close', onClose(server));
    server.once('close', onClose(client));
    server.pipe(client);
    client.pipe(server);
  }

  function forward(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute, url: URL, requestId: string): void {
    const context = { requestId, path: url.pathname };
    const headers = upstreamRequestHeaders(req, requestId);
    headers.connection = 'Upgrade';
    if (req.headers.upgrade) headers.upgrade = req.headers.upgrade;
    route.prepare?.(req, url, headers);
    const tried = new Set<Upstream>();
    let current: ClientRequest | undefined;
    let clientGone = false;
    const onClientClose = (): void => {
      clientGone = true;
      current?.destroy();
    };
    // The HTTP server has let go of this socket: an unhandled error here would end the process.
    const onClientError = (): void => void socket.destroy();
    socket.on('error', onClientError);
    socket.once('close', onClientClose);

    const attempt = (): void => {
      const upstream = chooseUpstream(route, url, tried);
      if (!upstream) {
        writeRawProblem(socket, 'UPSTREAM.UNAVAILABLE', `No ${route.pool.name} node is available`, context);
        return;
      }
      tried.add(upstream);
      const release = route.pool.acquire(upstream);
      let connected = false;
      let responded = false;
      const upstreamReq = http.request({ agent: false, hostname: upstream.host, port: upstream.port, method: req.method, path: url.pathname + url.search, headers });
      current = upstreamReq;
      upstreamReq.setTimeout(timeoutMs, () => upstreamReq.destroy(new UpstreamTimeoutError(`no upgrade answer from ${upstream.url.origin}`)));
      upstreamReq.once('socket', (upstreamSocket) => {
        if (!upstreamSocket.connecting) connected = true;
        else upstreamSocket.once('connect', () => (connected = true));
      });
      upstreamReq.end();

      upstreamReq.once('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
        responded = true;
        upstreamSocket.setTimeout(0);
        if (clientGone) {
          upstreamSocket.destroy();
          release();
          return;
        }
        socket.off('close', onClientClose);
        socket.off('error', onClientError);
        socket.write(statusBlock(upstreamRes));
        if (upstreamHead.length > 0) socket.write(upstreamHead);
        if (head.length > 0) upstreamSocket.write(head);
        tunnel(socket, upstreamSocket, release);
      });

      upstreamReq.once('response', (upstreamRes) => {
        responded = true;
        upstreamRes.once('close', release);
        relayRefusal(socket, upstreamRes);
      });

      upstreamReq.once('error', (error) => {
        release();
        if (clientGone) return;
        if (responded) {
          socket.destroy();
          return;
        }
        if (error instanceof UpstreamTimeoutError) {
          writeRawProblem(socket, 'UPSTREAM.TIMEOUT', `The ${route.pool.name} node did not answer the upgrade in time`, context);
          return;
        }
        if (connected) {
          writeRawProblem(socket, 'UPSTREAM.UNAVAILABLE', `The ${route.pool.name} node failed: ${error.message}`, context);
          return;
        }
        route.pool.markDown(upstream);
        logger.warn({ upstream: upstream.url.origin, err: error.message }, 'front door: upstream refused the connection, marked down');
        attempt();
      });
    };

    attempt();
  }

  return {
    forward,
    get open() {
      return tunnels.size;
    },
    closeAll() {
      for (const destroyBoth of [...tunnels]) destroyBoth();
    },
  };
}
