import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, unusedPort } from '@primetrade/platform';
import { copyWebRoot, prepareNginx, reachableByNginx } from './nginx/nginxProcess.js';
import { localTarget } from './nginx/targets.js';
import { startStatusServer, type StatusServer } from './statusServer.js';
import { repoRoot, startService, type ServiceProcess, type ServiceSpec, type SuperviseOptions } from './supervisor.js';

export interface ClusterOptions {
  /** Read models, accounts and (by default) the PostgreSQL event store. */
  readonly databaseUrl: string;
  /** A separate event store database (fault 9: the read side down, the store up). Default databaseUrl. */
  readonly storeUrl?: string;
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  readonly topic: string;
  readonly partitions?: number;
  readonly redisKeyPrefix: string;
  readonly jwtSecret: string;
  readonly apiNodes?: number;
  readonly realtimeNodes?: number;
  readonly relays?: number;
  readonly projectors?: number;
  /** Options for the Node of every service (e.g. `--cpu-prof`, `--cpu-prof-dir=…` to profile them). */
  readonly nodeArgs?: readonly string[];
  /** Search consumers (Kafka group `search`); default 1. */
  readonly searchNodes?: number;
  /** OpenSearch for the search index (`SEARCH_URL` of every service); unset: PostgreSQL full text. */
  readonly searchUrl?: string;
  /** Port of nginx in front; 0 picks a free one; null starts none. Default 0. */
  readonly proxyPort?: number | null;
  /** nginx's directory (configuration, pid, temporary files); default a fresh temporary one, removed on stop. */
  readonly proxyDir?: string;
  /** Restart crashed services with backoff (default true); fault tests that crash services on purpose turn it off. */
  readonly supervise?: boolean;
  readonly host?: string;
  readonly logLevel?: string;
  /** Print every service's log lines, prefixed with its name. */
  readonly echo?: boolean;
  /** Extra environment for every service, or per service name (`relay-1`, `api-2`, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly envFor?: (name: string) => Readonly<Record<string, string>>;
  readonly relayLeaseTtlMs?: number;
  /** Access token lifetime (tests shorten it). */
  readonly accessTokenTtlSeconds?: number;
  /** Ends the start early (a Ctrl-C meanwhile): what started is stopped and the start rejects. */
  readonly abort?: AbortSignal;
}

export interface ClusterProxy {
  /** `http://host:port` of nginx: the web client, `/api`, `/socket.io`, `/readyz`. */
  readonly url: string;
  readonly service: ServiceProcess;
  readonly dir: string;
}

export interface Cluster {
  readonly relays: readonly ServiceProcess[];
  readonly projectors: readonly ServiceProcess[];
  readonly search: readonly ServiceProcess[];
  readonly api: readonly ServiceProcess[];
  readonly realtime: readonly ServiceProcess[];
  readonly proxy: ClusterProxy | null;
  /** Every service, in start order (nginx last). */
  readonly services: readonly ServiceProcess[];
  stop(): Promise<void>;
}

const range = (count: number, prefix: string) => Array.from({ length: count }, (_, n) => `${prefix}-${n + 1}`);

/**
 * The local cluster of docs/cluster.md, every service its own supervised process: relays
 * (the first leads, the others stand by), projectors, search consumers, command-api and realtime nodes, and nginx in
 * front, rendered from the template compose and Kubernetes use (docs/adr/0015-nginx-front-door.md).
 * PostgreSQL, Kafka and Redis must run.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const host = options.host ?? '127.0.0.1';
  const logger = createLogger({ level: options.echo ? (options.logLevel ?? 'info') : 'silent', name: 'supervisor' });
  const supervision: SuperviseOptions = {
    supervise: options.supervise ?? true,
    log: (msg, fields) => logger.warn(fields, msg),
  };
  const base = baseEnv(options, host);
  // API and realtime nodes keep their port across restarts: nginx's upstreams name them.
  const ports = new Map<string, number>();
  for (const name of [...range(options.apiNodes ?? 2, 'api'), ...range(options.realtimeNodes ?? 2, 'realtime')])
    ports.set(name, await unusedPort());
  const spec = (name: string, entry: string, readyMessage: string, args: string[] = []): ServiceSpec => ({
    name,
    entry,
    args,
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    readyMessage,
    echo: options.echo ?? false,
    env: {
      ...base,
      NODE_NAME: name,
      ...(ports.has(name) ? { PORT: String(ports.get(name)) } : {}),
      ...options.envFor?.(name),
    },
  });
  const started: ServiceProcess[] = [];
  const start = async (specs: ServiceSpec[]) => {
    // Every service that did start is tracked before any failure is thrown, so the cleanup below stops it.
    const outcomes = await Promise.allSettled(specs.map((one) => startService(one, supervision)));
    const processes = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    started.push(...processes);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    if (options.abort?.aborted) throw new Error('the cluster start was interrupted');
    return processes;
  };
  let status: StatusServer | null = null;
  let proxy: ClusterProxy | null = null;
  const stopAll = async () => {
    await proxy?.service.stop();
    await status?.close();
    const ofKind = (prefix: string) => started.filter((service) => service.name.startsWith(prefix));
    // Entry nodes first, then the relays, the projectors last (they drain what was relayed).
    await Promise.all([...ofKind('api-'), ...ofKind('realtime-')].map((service) => service.stop()));
    await Promise.all(ofKind('relay-').map((service) => service.stop()));
    await Promise.all([...ofKind('projector-'), ...ofKind('search-')].map((service) => service.stop()));
    if (proxy && proxy.dir !== options.proxyDir) await rm(proxy.dir, { recursive: true, force: true });
  };

  try {
    // The projector first: it creates the schema and the topic; then the relays, one after the
    // other so that relay-1 is the leader; then the stateless nodes side by side.
    const projectors = await start(
      range(options.projectors ?? 1, 'projector').map((name) =>
        spec(name, 'server/dist/projector.main.js', 'projector node running', ['projector']),
      ),
    );
    const search = await start(
      range(options.searchNodes ?? 1, 'search').map((name) =>
        spec(name, 'server/dist/projector.main.js', 'search node running', ['search']),
      ),
    );
    const relays: ServiceProcess[] = [];
    for (const name of range(options.relays ?? 2, 'relay'))
      relays.push(...(await start([spec(name, 'server/dist/projector.main.js', 'relay node running', ['relay'])])));
    const [api, realtime] = await Promise.all([
      start(
        range(options.apiNodes ?? 2, 'api').map((name) =>
          spec(name, 'server/dist/main.js', 'command-api node running'),
        ),
      ),
      start(
        range(options.realtimeNodes ?? 2, 'realtime').map((name) =>
          spec(name, 'server/dist/realtime.main.js', 'realtime node running'),
        ),
      ),
    ]);
    if (options.proxyPort !== null) {
      status = await startStatusServer(() => started.map((service) => service.status()), host);
      // nginx runs as `nobody` when we are root: its folder (and the web client's copy in it) must be reachable.
      const dir =
        options.proxyDir !== undefined && reachableByNginx(options.proxyDir)
          ? options.proxyDir
          : await mkdtemp(path.join(tmpdir(), 'pt-nginx-'));
      await mkdir(dir, { recursive: true, mode: 0o755 });
      const port = options.proxyPort || (await unusedPort());
      const target = localTarget({
        port,
        host,
        api: api.map((node) => `${host}:${ports.get(node.name)}`),
        realtime: realtime.map((node) => `${host}:${ports.get(node.name)}`),
        prefix: dir,
        webRoot: await copyWebRoot(path.join(repoRoot, 'web/dist'), dir),
        statusServer: status.address,
      });
      const [nginx] = await start([{ ...(await prepareNginx(target, dir)), echo: options.echo ?? false }]);
      proxy = { url: `http://${host}:${port}`, service: nginx!, dir };
    }
    return { relays, projectors, search, api, realtime, proxy, services: started, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function baseEnv(options: ClusterOptions, host: string): Record<string, string> {
  return {
    MODE: 'cluster',
    NODE_ENV: 'production',
    HOST: host,
    PORT: '0',
    OPS_PORT: '0',
    LOG_LEVEL: options.logLevel ?? 'info',
    DATABASE_URL: options.databaseUrl,
    EVENT_STORE_URL: options.storeUrl ?? options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    KAFKA_TOPIC: options.topic,
    KAFKA_PARTITIONS: String(options.partitions ?? 8),
    REDIS_URL: options.redisUrl,
    ...(options.searchUrl ? { SEARCH_URL: options.searchUrl } : {}),
    REDIS_KEY_PREFIX: options.redisKeyPrefix,
    JWT_SECRET: options.jwtSecret,
    // nginx is the only way in; it sets X-Forwarded-* for the API's rate limits and logs.
    TRUST_PROXY: 'true',
    WEB_ROOT: '',
    ...(options.relayLeaseTtlMs ? { RELAY_LEASE_TTL_MS: String(options.relayLeaseTtlMs) } : {}),
    ...(options.accessTokenTtlSeconds ? { ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds) } : {}),
    ...options.env,
  };
}
