import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceStatus } from './supervisor.js';

export interface StatusServer {
  /** `host:port` for nginx's upstream. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * What nginx cannot know: the supervisor's view of every service. Listens on loopback only;
 * nginx proxies `/readyz` (200 when every service runs, 503 with the list otherwise) and
 * `/cluster/status` to it.
 */
export async function startStatusServer(
  statuses: () => readonly ServiceStatus[],
  host = '127.0.0.1',
): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const services = statuses();
    const ready = services.every((service) => service.state === 'running');
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET' || (path !== '/readyz' && path !== '/status')) {
      res
        .writeHead(404, { 'Content-Type': 'application/problem+json' })
        .end(JSON.stringify({ status: 404, code: 'ROUTE.NOT_FOUND' }));
      return;
    }
    const body =
      path === '/readyz'
        ? {
            status: ready ? 'ready' : 'unavailable',
            notRunning: services.filter((service) => service.state !== 'running'),
          }
        : { status: ready ? 'ready' : 'unavailable', services };
    res
      .writeHead(path === '/readyz' && !ready ? 503 : 200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      })
      .end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
