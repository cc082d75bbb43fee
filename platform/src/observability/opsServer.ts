import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/**
 * One dependency's state. `degraded` marks a dependency the service can do without for its
 * essential work (command-api without its read database still accepts commands): while it is down
 * the service answers `/readyz` 200 with status "degraded", so an orchestrator keeps it in
 * rotation; any other dependency that is not ok makes it 503 "unavailable".
 */
export interface ReadinessCheckResult {
  readonly ok: boolean;
  readonly detail?: string;
  readonly degraded?: boolean;
}
export type ReadinessChecks = Record<string, ReadinessCheckResult>;
export type ReadinessCheck = () => Promise<ReadinessChecks>;
export type ReadinessStatus = 'ok' | 'degraded' | 'unavailable';

export interface ReadinessReport {
  /** Whether to stay in rotation: true for "ok" and "degraded". */
  readonly ready: boolean;
  readonly status: ReadinessStatus;
  readonly checks: ReadinessChecks;
  /** The dependencies that are not ok, by name (empty when all are). */
  readonly down: readonly string[];
}

/** Asks every dependency; a check that throws counts as not ready rather than failing the probe. */
export async function readinessReport(readiness: ReadinessCheck): Promise<ReadinessReport> {
  try {
    const checks = await readiness();
    const down = Object.entries(checks).filter(([, check]) => !check.ok);
    const status: ReadinessStatus =
      down.length === 0 ? 'ok' : down.every(([, check]) => check.degraded === true) ? 'degraded' : 'unavailable';
    return { ready: status !== 'unavailable', status, checks, down: down.map(([name]) => name) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ready: false, status: 'unavailable', checks: { readiness: { ok: false, detail } }, down: ['readiness'] };
  }
}

/** The `/readyz` answer of every service: 200 while ready (ok or degraded), 503 otherwise. */
export function readinessAnswer(report: ReadinessReport): {
  status: 200 | 503;
  body: { status: ReadinessStatus; checks: ReadinessChecks; down?: readonly string[] };
} {
  return {
    status: report.ready ? 200 : 503,
    body: { status: report.status, checks: report.checks, ...(report.down.length > 0 ? { down: report.down } : {}) },
  };
}

/** Marks a check's failure as tolerated: the service keeps serving its essential work without it. */
export async function tolerated(
  check: Promise<ReadinessCheckResult> | ReadinessCheckResult,
  consequence: string,
): Promise<ReadinessCheckResult> {
  const result = await check;
  return result.ok ? result : { ok: false, degraded: true, detail: `${result.detail ?? 'down'}: ${consequence}` };
}

/**
 * One readiness check of a database: "breaker open" without asking while its breaker is open
 * (the `breakerState` of a `GuardedSql`), otherwise whether `SELECT 1` answers.
 */
export async function databaseCheck(
  sql: { query(text: string): Promise<unknown>; breakerState?: () => string },
  what = 'database',
): Promise<{ ok: boolean; detail?: string }> {
  if (sql.breakerState?.() === 'open') return { ok: false, detail: `${what} breaker open` };
  return sql.query('SELECT 1').then(
    () => ({ ok: true }),
    () => ({ ok: false, detail: `${what} unreachable` }),
  );
}

/** Listens on `host:port` (0 picks a free port) and resolves to the URL clients use. */
export async function listen(server: http.Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
}

export interface OpsHandlerOptions {
  readonly metrics: Pick<Metrics, 'registry'>;
  readonly readiness: ReadinessCheck;
  /** Extra read-only JSON documents (e.g. `/status` of the relay). */
  readonly documents?: Readonly<Record<string, () => unknown>>;
}

/**
 * Answers `GET /healthz`, `/readyz`, `/metrics` and the extra documents; returns false for any other
 * request, which the caller answers (the realtime node shares its server with Socket.IO).
 */
export function opsRequestHandler(
  options: OpsHandlerOptions,
): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const document = options.documents?.[path];
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics' && !document) return false;
    if (req.method !== 'GET') send(res, 405, 'text/plain', 'Method Not Allowed');
    else if (path === '/healthz') send(res, 200, 'application/json', '{"status":"ok"}');
    else if (path === '/readyz') {
      void readinessReport(options.readiness).then((report) => {
        const answer = readinessAnswer(report);
        send(res, answer.status, 'application/json', JSON.stringify(answer.body));
      });
    } else if (path === '/metrics') {
      void options.metrics.registry.metrics().then(
        (text) => send(res, 200, options.metrics.registry.contentType, text),
        () => send(res, 500, 'text/plain', 'metrics unavailable'),
      );
    } else if (document) {
      send(
        res,
        200,
        'application/json',
        JSON.stringify(document(), (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
      );
    }
    return true;
  };
}

export interface OpsServerOptions extends OpsHandlerOptions {
  readonly port: number;
  readonly host: string;
}

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `/healthz`, `/readyz` and `/metrics` for the processes without an HTTP API (relay, projector):
 * the probes (docs/deploy.md) and Prometheus scraping, on `node:http` alone.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const handle = opsRequestHandler(options);
  const server = http.createServer((req, res) => {
    if (handle(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end('{"status":"not found"}');
  });
  const url = await listen(server, options.host, options.port);
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
