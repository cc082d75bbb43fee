import path from 'node:path';
import { createLogger } from '@primetrade/platform';
import { startFrontDoor, type FrontDoor } from './frontDoor.js';
import { repoRoot, startService, type ServiceProcess, type ServiceSpec } from './supervisor.js';

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
  /** Port of the front door; 0 picks a free one; null starts none. Default 0. */
  readonly frontDoorPort?: number | null;
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
}

export interface Cluster {
  readonly relays: readonly ServiceProcess[];
  readonly projectors: readonly ServiceProcess[];
  readonly api: readonly ServiceProcess[];
  readonly realtime: readonly ServiceProcess[];
  readonly frontDoor: FrontDoor | null;
  /** Every service, in start order. */
  readonly services: readonly ServiceProcess[];
  stop(): Promise<void>;
}

/**
 * The local cluster of DESIGN §1 "cluster" mode, every service its own process: relays (the first
 * leads, the others stand by), projectors, command-api and realtime nodes, and one front door that
 * serves the web app, `/api` and `/socket.io` on one port. PostgreSQL, Kafka and Redis must run.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const host = options.host ?? '127.0.0.1';
  const base: Record<string, string> = {
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
    REDIS_KEY_PREFIX: options.redisKeyPrefix,
    JWT_SECRET: options.jwtSecret,
    // The front door is the only way in; it sets X-Forwarded-* for the API's rate limits and logs.
    TRUST_PROXY: 'true',
    WEB_ROOT: '',
    ...(options.relayLeaseTtlMs ? { RELAY_LEASE_TTL_MS: String(options.relayLeaseTtlMs) } : {}),
    ...(options.accessTokenTtlSeconds ? { ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds) } : {}),
    ...options.env,
  };
  const spec = (name: string, entry: string, readyMessage: string, args: string[] = []): ServiceSpec => ({
    name,
    entry,
    args,
    readyMessage,
    echo: options.echo ?? false,
    env: { ...base, NODE_NAME: name, ...options.envFor?.(name) },
  });
  const started: ServiceProcess[] = [];
  const start = async (specs: ServiceSpec[]) => {
    // Every service that did start is tracked before any failure is thrown, so the cleanup below stops it.
    const outcomes = await Promise.allSettled(specs.map((one) => startService(one)));
    const processes = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    started.push(...processes);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return processes;
  };
  const range = (count: number, prefix: string) => Array.from({ length: count }, (_, n) => `${prefix}-${n + 1}`);

  try {
    // The projector first: it creates the schema and the topic; then the relays, one after the
    // other so that relay-1 is the leader; then the stateless nodes side by side.
    const projectors = await start(range(options.projectors ?? 1, 'projector').map((name) => spec(name, 'projector/dist/main.js', 'projector node running', ['projector'])));
    const relays: ServiceProcess[] = [];
    for (const name of range(options.relays ?? 2, 'relay')) relays.push(...(await start([spec(name, 'projector/dist/main.js', 'relay node running', ['relay'])])));
    const [api, realtime] = await Promise.all([
      start(range(options.apiNodes ?? 2, 'api').map((name) => spec(name, 'command-api/dist/main.js', 'command-api node running'))),
      start(range(options.realtimeNodes ?? 2, 'realtime').map((name) => spec(name, 'realtime/dist/main.js', 'realtime node running'))),
    ]);
    const frontDoor =
      options.frontDoorPort === null
        ? null
        : await startFrontDoor({
            port: options.frontDoorPort ?? 0,
            host,
            api: api.map((node) => node.url()),
            realtime: realtime.map((node) => node.url()),
            webRoot: path.join(repoRoot, 'web/dist'),
            logger: createLogger({ level: options.echo ? 'info' : 'warn', name: 'front-door' }),
          });
    return {
      relays,
      projectors,
      api,
      realtime,
      frontDoor,
      services: started,
      async stop() {
        await frontDoor?.close();
        // Entry nodes first, then the relays, the projectors last (they drain what was relayed).
        await Promise.all([...api, ...realtime].map((service) => service.stop()));
        await Promise.all(relays.map((service) => service.stop()));
        await Promise.all(projectors.map((service) => service.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((service) => service.stop()));
    throw error;
  }
}
