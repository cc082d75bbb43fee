import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { startKafka, type KafkaBroker } from '../../kafka/kafka.mjs';
import { openSearchHome, startOpenSearch, type OpenSearchNode } from '../../opensearch/opensearch.mjs';
import { startCluster } from './cluster.js';
import { findNginx } from './nginx/nginxProcess.js';
import { startClusterPostgres } from './postgres.js';
import { repoRoot } from './supervisor.js';

/**
 * `npm run cluster`: the whole product as a local cluster without Docker (docs/architecture.md "cluster").
 * Starts a PostgreSQL primary of its own and a streaming replica of it (postgres.ts), uses the
 * machine's Redis (starting a private Redis if none answers), starts a
 * Kafka broker of its own from infra/kafka, then every service, supervised, and nginx in front on one port
 * (the machine's nginx, rendered from the template compose and Kubernetes use, in .data/cluster/nginx).
 *
 * Settings (environment): CLUSTER_PORT (8080), CLUSTER_PG_PORT (25432, the replica on the next port),
 * CLUSTER_DATABASE_URL (a server to use instead, without replica; its database is created if missing),
 * CLUSTER_STORE_DATABASE_URL (the event store's database: by default the read database's name with
 * `_store` on the same server, created if missing, ADR 0030), CLUSTER_REDIS_URL
 * (redis://127.0.0.1:6379), CLUSTER_KAFKA_BROKERS (use a running broker instead of starting one),
 * CLUSTER_LOG_LEVEL (info), CLUSTER_SEARCH_URL (use a running OpenSearch node instead of starting one
 * from infra/opensearch; `postgres` keeps search on PostgreSQL full text).
 */
const env = process.env;
const dataDir = path.join(repoRoot, '.data', 'cluster');
const say = (message: string) => process.stdout.write(`[cluster] ${message}\n`);

/**
 * The event store's database: its own (ADR 0030: the relay's feed then waits for no read-model
 * transaction), unless the read database already holds a store from an earlier version.
 */
async function storeDatabaseUrl(databaseUrl: string): Promise<string> {
  if (env.CLUSTER_STORE_DATABASE_URL) return env.CLUSTER_STORE_DATABASE_URL;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const found = await client.query<{ events: string | null }>("SELECT to_regclass('event_store.events') AS events");
    if (found.rows[0]?.events) {
      say('the event store stays in the read database, where an earlier version put it');
      return databaseUrl;
    }
  } finally {
    await client.end();
  }
  const store = new URL(databaseUrl);
  store.pathname = `${store.pathname}_store`;
  return store.toString();
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`A cluster database URL must name a database of [a-z0-9_] (got "${name}")`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
      say(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

function answers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function ensureRedis(url: string): Promise<{ url: string; child: ChildProcess | null }> {
  const parsed = new URL(url);
  const port = Number(parsed.port || 6379);
  if (await answers(port, parsed.hostname)) return { url, child: null };
  const privatePort = 16379;
  say(`no Redis on ${parsed.host}; starting a private one on 127.0.0.1:${privatePort}`);
  const child = spawn(
    'redis-server',
    ['--port', String(privatePort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let attempt = 0; attempt < 50 && !(await answers(privatePort)); attempt += 1)
    await new Promise((r) => setTimeout(r, 100));
  return { url: `redis://127.0.0.1:${privatePort}`, child };
}

async function jwtSecret(): Promise<string> {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * The search index's engine: a given node, none (`postgres`), or a node of our own from infra/opensearch
 * when its distribution is fetched; otherwise search stays on PostgreSQL full text, and we say how to fetch it.
 */
async function ensureOpenSearch(
  given: string | undefined,
): Promise<{ url: string | null; node: OpenSearchNode | null }> {
  if (given === 'postgres') return { url: null, node: null };
  if (given) return { url: given, node: null };
  if (!existsSync(path.join(openSearchHome, 'modules', 'analysis-common', 'plugin-descriptor.properties'))) {
    say(
      'OpenSearch is not fetched (node infra/opensearch/opensearch.mjs fetch, about 54 MB): search runs on PostgreSQL full text',
    );
    return { url: null, node: null };
  }
  say('starting OpenSearch (infra/opensearch)…');
  const node = await startOpenSearch({ port: 29200, transportPort: 29300, dataDir: path.join(dataDir, 'opensearch') });
  return { url: node.url, node };
}

async function main(): Promise<void> {
  if (
    !existsSync(path.join(repoRoot, 'server/dist/realtime.main.js')) ||
    !existsSync(path.join(repoRoot, 'web/dist/index.html'))
  ) {
    throw new Error('Build first: npm run build (npm run cluster does)');
  }
  findNginx();
  await mkdir(dataDir, { recursive: true });
  const postgres = await startClusterPostgres(dataDir, env, say);
  const { databaseUrl } = postgres;
  const storeUrl = await (async () => {
    await ensureDatabase(databaseUrl);
    const url = await storeDatabaseUrl(databaseUrl);
    await ensureDatabase(url);
    return url;
  })().catch(async (error: unknown) => {
    await postgres.stop();
    throw error;
  });
  const redis = await ensureRedis(env.CLUSTER_REDIS_URL ?? 'redis://127.0.0.1:6379');
  let broker: KafkaBroker | null = null;
  let brokers = env.CLUSTER_KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];
  if (brokers.length === 0) {
    say('starting Kafka (infra/kafka)…');
    broker = await startKafka({ port: 29092, controllerPort: 29093, dataDir: path.join(dataDir, 'kafka') }).catch(
      async (error: unknown) => {
        await postgres.stop();
        throw error;
      },
    );
    brokers = broker.brokers;
  }
  const search = await ensureOpenSearch(env.CLUSTER_SEARCH_URL).catch(async (error: unknown) => {
    await broker?.stop();
    await postgres.stop();
    throw error;
  });
  const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//');
  const replicas = postgres.readDatabaseUrls.map(redact).join(', ') || 'none';
  say(
    `Kafka ${brokers.join(',')}, Redis ${redact(redis.url)}, PostgreSQL ${redact(databaseUrl)} (event store ${redact(storeUrl)}; replicas: ${replicas}), search ${search.url ?? 'PostgreSQL full text'}`,
  );
  // A signal while the services start ends the start; what started is stopped.
  const starting = new AbortController();
  const interrupt = () => starting.abort();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, interrupt);
  const cluster = await startCluster({
    databaseUrl,
    storeUrl,
    kafkaBrokers: brokers,
    redisUrl: redis.url,
    topic: 'taskboard.board-events',
    redisKeyPrefix: 'pt:',
    ...(search.url ? { searchUrl: search.url } : {}),
    jwtSecret: await jwtSecret(),
    proxyPort: Number(env.CLUSTER_PORT ?? 8080),
    proxyDir: path.join(dataDir, 'nginx'),
    logLevel: env.CLUSTER_LOG_LEVEL ?? 'info',
    env: { READ_DATABASE_URLS: postgres.readDatabaseUrls.join(',') },
    echo: true,
    abort: starting.signal,
  }).catch(async (error: unknown) => {
    // Nothing of ours may outlive a failed start.
    await broker?.stop();
    await search.node?.stop();
    redis.child?.kill('SIGTERM');
    await postgres.stop();
    throw error;
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, interrupt);
  say(`running: ${cluster.services.map((service) => `${service.name} (pid ${service.pid()})`).join(', ')}`);
  say(
    `open ${cluster.proxy?.url ?? '(no proxy)'} — ${cluster.proxy?.url ?? ''}/readyz says whether every service runs — Ctrl-C stops everything`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping…`);
    await cluster.stop();
    await broker?.stop();
    await search.node?.stop();
    redis.child?.kill('SIGTERM');
    await postgres.stop();
    say('stopped');
    process.exit(0);
  };
  // The services run in their own process groups: whatever ends the launcher must stop them.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(signal));
  process.once('uncaughtException', (error) => {
    process.stderr.write(`[cluster] ${error.stack ?? error.message}\n`);
    void stop('uncaughtException');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`[cluster] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
