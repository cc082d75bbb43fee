import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@primetrade/platform';
import { afterEach } from 'vitest';
import { startFrontDoor, type FrontDoor, type FrontDoorOptions } from './frontDoor.js';

export const silentLogger = createLogger({ level: 'silent' });

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface Upstream {
  readonly name: string;
  readonly url: string;
  readonly server: http.Server;
  /** Every request the node received, in arrival order (recorded when the headers arrive). */
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, name: string) => void;

/** Answers `{ node, method, url, headers, body }` once the whole body has arrived. */
export const echo: Handler = (req, res, name) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify({ node: name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
};

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startUpstream(name: string, handler: Handler = echo): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res, name);
  });
  const url = await listen(server);
  return {
    name,
    url,
    server,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL where nothing listens: connections to it are refused. */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

export function frontDoorFor(options: Partial<FrontDoorOptions> & Pick<FrontDoorOptions, 'api' | 'realtime'>): Promise<FrontDoor> {
  return startFrontDoor({ port: 0, host: '127.0.0.1', webRoot: '/nonexistent-web-root', logger: silentLogger, ...options });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** `node:http` rather than fetch: the path goes out exactly as written (no `..` normalisation). */
export function rawRequest(base: string, path: string, options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(base);
    const req = http.request({ host: target.hostname, port: target.port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const json = <T = Record<string, unknown>>(response: RawResponse): T => JSON.parse(response.text) as T;

/** Resolves once `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Per-test resources, released after each test in reverse order. Call once at the top of a spec
 * file: it registers the `afterEach`.
 */
export function testScope() {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    defer: (cleanup: () => Promise<unknown> | void): void => void cleanups.push(cleanup),
    upstream: async (name: string, handler?: Handler): Promise<Upstream> => {
      const node = await startUpstream(name, handler);
      cleanups.push(() => node.close());
      return node;
    },
    door: async (options: Parameters<typeof frontDoorFor>[0]): Promise<FrontDoor> => {
      const started = await frontDoorFor(options);
      cleanups.push(() => started.close());
      return started;
    },
  };
}
