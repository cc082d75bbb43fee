import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@primetrade/platform';
import { answerHealth, answerReadiness } from './health.js';
import { requestIdOf } from './headers.js';
import { sendProblem, writeRawProblem } from './problem.js';
import { createHttpProxy } from './proxyHttp.js';
import { createUpgradeProxy } from './proxyUpgrade.js';
import type { ProxyRoute } from './route.js';
import { createStaticFiles } from './staticFiles.js';
import { createStickySessions } from './stickySessions.js';
import { createUpstreamPool, parseUpstreamUrls } from './upstreams.js';

export interface FrontDoorOptions {
  readonly port: number;
  readonly host: string;
  /** Base URLs (origins) of the command-api nodes: `/api/*`. */
  readonly api: readonly string[];
  /** Base URLs (origins) of the realtime nodes: `/socket.io/*`, polling and websocket. */
  readonly realtime: readonly string[];
  /** The built web app (`web/dist`), served for every other path. */
  readonly webRoot: string;
  readonly logger: Logger;
  /** Idle time allowed on an upstream exchange before a 504. Default 60 s: a Socket.IO long poll idles up to its 25 s ping interval. */
  readonly upstreamTimeoutMs?: number;
  /** How long a node that refused a connection is skipped. Default 3 s. */
  readonly downForMs?: number;
  /** How long `close()` lets in-flight requests finish before cutting them. Default 5 s. */
  readonly closeGraceMs?: number;
}

export interface FrontDoor {
  /** `http://host:port`, with the port actually bound (ask for port 0 to get a free one). */
  readonly url: string;
  /**
   * Stops accepting, ends idle keep-alive connections, closes upgraded sockets and Socket.IO long
   * polls, lets other requests in flight finish (up to `closeGraceMs`), then cuts what is left.
   */
  close(): Promise<void>;
}

const apiPath = /^\/api(\/|$)/;
const realtimePath = /^\/socket\.io(\/|$)/;
/** Served by the nodes themselves, never by the front door or as the SPA. */
const notHere = /^\/metrics(\/|$)/;
/** A polling session idle this long is gone on the node too (ping interval 25 s + timeout 20 s). */
const stickyIdleMs = 60_000;

/** Origin-form targets only (`/path?query`); `//x` stays a path instead of becoming a host. */
function targetOf(req: IncomingMessage): URL | undefined {
  if (!req.url?.startsWith('/')) return undefined;
  try {
    return new URL(`http://front-door${req.url}`);
  } catch {
    return undefined;
  }
}

/**
 * The local cluster's single entry point (DESIGN §1 "cluster", §8): the web app, `/api` on the
 * command-api nodes and `/socket.io` on the realtime nodes, balanced by least connections, with
 * Engine.IO polling sessions kept on the node that holds them. Plain `node:http`, no proxy package.
 */
export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const { logger } = options;
  const timeoutMs = options.upstreamTimeoutMs ?? 60_000;
  const downForMs = options.downForMs ?? 3000;
  const closeGraceMs = options.closeGraceMs ?? 5000;

  // 1. Upstreams, checked before anything listens.
  const apiPool = createUpstreamPool('api', parseUpstreamUrls('api', options.api), downForMs);
  const realtimePool = createUpstreamPool('realtime', parseUpstreamUrls('realtime', options.realtime), downForMs);
  const pools = [apiPool, realtimePool];
  const sticky = createStickySessions(stickyIdleMs);
  const apiRoute: ProxyRoute = { pool: apiPool };
  const realtimeRoute: ProxyRoute = {
    pool: realtimePool,
    preferred: (url) => sticky.lookup(url),
    // The sid is read from the handshake body as it passes: it must not arrive compressed.
    prepare: (req, url, headers) => {
      if (sticky.isHandshake(req.method, url)) headers['accept-encoding'] = 'identity';
    },
    observe: (req, url, upstream, response) => {
      if (sticky.isHandshake(req.method, url)) sticky.observeHandshake(upstream, response);
    },
  };

  // 2. The handlers.
  const agent = new http.Agent({ keepAlive: true });
  const proxy = createHttpProxy({ agent, timeoutMs, logger });
  const upgrades = createUpgradeProxy({ timeoutMs, logger });
  const staticFiles = createStaticFiles(options.webRoot);

  let closing: Promise<void> | undefined;
  /** Socket.IO long polls idle up to 25 s: on close they go at once, like upgraded sockets. */
  const polls = new Set<ServerResponse>();
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    // A keep-alive connection that goes idle after close() began is ended then, not at its timeout.
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    const requestId = requestIdOf(req.headers);
    const url = targetOf(req);
    if (!url) {
      sendProblem(res, 'VALIDATION.FAILED', 'The request target must be a path', { requestId, path: req.url ?? '' });
      return;
    }
    const context = { requestId, path: url.pathname };
    if (apiPath.test(url.pathname)) return proxy(req, res, apiRoute, url, requestId);
    if (realtimePath.test(url.pathname)) {
      polls.add(res);
      res.once('close', () => polls.delete(res));
      return proxy(req, res, realtimeRoute, url, requestId);
    }
    if (url.pathname === '/healthz') return answerHealth(res, pools);
    if (url.pathname === '/readyz') {
      void answerReadiness(res, pools);
      return;
    }
    if (notHere.test(url.pathname)) return sendProblem(res, 'ROUTE.NOT_FOUND', `No route for ${req.method} ${url.pathname}`, context);
    staticFiles(req, res, url, context).catch((error: unknown) => {
      logger.error({ err: error, requestId, path: url.pathname }, 'front door: static file failed');
      if (res.headersSent) res.destroy();
      else sendProblem(res, 'INTERNAL', 'Internal error', context);
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const requestId = requestIdOf(req.headers);
    const url = targetOf(req);
    if (!url || !realtimePath.test(url.pathname)) {
      socket.on('error', () => socket.destroy());
      writeRawProblem(socket, 'ROUTE.NOT_FOUND', 'Only /socket.io accepts upgrades', { requestId, path: url?.pathname ?? '' });
      return;
    }
    upgrades.forward(req, socket, head, realtimeRoute, url, requestId);
  };

  // 3. Listen.
  const server = http.createServer(onRequest);
  server.on('upgrade', onUpgrade);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    sticky.close();
    agent.destroy();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, api: options.api, realtime: options.realtime, webRoot: options.webRoot }, 'front door listening');

  return {
    url,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        upgrades.closeAll();
        for (const poll of polls) poll.destroy();
        const cut = setTimeout(() => server.closeAllConnections(), closeGraceMs);
        await closed;
        clearTimeout(cut);
        sticky.close();
        agent.destroy();
        logger.info({ url }, 'front door closed');
      })();
      return closing;
    },
  };
}
