import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export type ReadinessChecks = Record<string, { ok: boolean; detail?: string }>;
export type ReadinessCheck = () => Promise<ReadinessChecks>;

/** Asks every dependency; a check that throws counts as not ready rather than failing the probe. */
export async function readinessReport(readiness: ReadinessCheck): Promise<{ ready: boolean; checks: ReadinessChecks }> {
  try {
    const checks = await readiness();
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ready: false, checks: { readiness: { ok: false, detail } } };
  }
}

export interface OpsServerOptions {
  readonly port: number;
  readonly host: string;
  readonly metrics: Pick<Metrics, 'registry'>;
  readonly readiness: ReadinessCheck;
  /** Extra read-only JSON documents (e.g. `/status` of the relay). */
  readonly documents?: Readonly<Record<string, () => unknown>>;
}

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `/healthz`, `/readyz` and `/metrics` for the processes without an HTTP API (relay, projector):
 * the probes of DESIGN §8 and Prometheus scraping, on `node:http` alone.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method Not Allowed');
    if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void readinessReport(options.readiness).then((report) =>
        send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify({ status: report.ready ? 'ok' : 'unavailable', checks: report.checks })),
      );
      return undefined;
    }
    if (path === '/metrics') {
      void options.metrics.registry.metrics().then(
        (text) => send(res, 200, options.metrics.registry.contentType, text),
        () => send(res, 500, 'text/plain', 'metrics unavailable'),
      );
      return undefined;
    }
    const document = options.documents?.[path];
    if (document) return send(res, 200, 'application/json', JSON.stringify(document(), (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
    return send(res, 404, 'application/json', '{"status":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
