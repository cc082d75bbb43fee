import { z } from 'zod';

/**
 * The one place that reads the environment. Everything else receives a typed Config.
 * Invalid values fail at start with a message naming the variable.
 */
const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const bytes = z
  .string()
  .regex(/^\d+(b|kb|mb)?$/i, 'a size like 262144, 256kb or 1mb')
  .transform((value) => {
    const match = /^(\d+)(b|kb|mb)?$/i.exec(value);
    const amount = Number(match?.[1] ?? 0);
    const unit = (match?.[2] ?? 'b').toLowerCase();
    return amount * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
  });

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * Documents one setting where it is defined: `docs/configuration.md` is generated from these
 * (`npm run docs:config`), so the reference cannot drift from what the code accepts.
 */
function setting<T extends z.ZodType>(schema: T, section: SettingSection, description: string): T {
  return schema.meta({ section, description });
}

export const settingSections = {
  server: 'Process and HTTP',
  accounts: 'Accounts and tokens',
  limits: 'Rate and size limits',
  consistency: 'Consistency',
  graphql: 'GraphQL',
  notifications: 'Notifications',
  retention: 'Retention',
  observability: 'Observability',
  cluster: 'Cluster mode',
  search: 'Search',
  ops: 'Operations CLI only',
} as const;
export type SettingSection = keyof typeof settingSections;

export const configSchema = z.object({
  MODE: setting(
    z.enum(['embedded', 'cluster']).default('embedded'),
    'server',
    '`embedded`: one process on PGlite. `cluster`: one service per process on PostgreSQL, Kafka and Redis (see "Cluster mode" below).',
  ),
  NODE_ENV: setting(
    z.enum(['development', 'production', 'test']).default('development'),
    'server',
    '`production` requires `JWT_SECRET`.',
  ),
  HOST: setting(
    z.string().min(1).default('127.0.0.1'),
    'server',
    'Address the HTTP API, the web client and `/socket.io` listen on.',
  ),
  PORT: setting(port.default(3000), 'server', 'Port of the HTTP API, the web client and `/socket.io`.'),
  DATA_DIR: setting(
    z.string().min(1).default('./data'),
    'server',
    'Embedded data: the PGlite files and the generated signing secret (created private to the process owner).',
  ),
  PGLITE_SHARED_BUFFERS: setting(
    z
      .string()
      .regex(/^[1-9]\d*(kB|MB|GB)$/, 'a PostgreSQL size like 16MB, 65536kB or 1GB')
      .default('16MB'),
    'server',
    "Embedded: PGlite's page cache (PostgreSQL `shared_buffers`), held in memory from the start. PGlite's own default, 128MB, was most of the embedded process's memory; pages beyond it are read through the operating system's file cache (docs/operations.md \"Memory\").",
  ),
  PGLITE_WASM_COMPILER: setting(
    z.enum(['baseline', 'optimizing']).default('baseline'),
    'server',
    'Embedded: how V8 compiles PGlite\'s WebAssembly. `baseline` (Liftoff only) keeps one copy of the code; `optimizing` adds optimized code for hot functions, ~55 MB more resident; it was no faster in an insert and read loop on PGlite here (docs/operations.md "Memory").',
  ),
  WEB_ROOT: setting(
    z.string().optional(),
    'server',
    'Directory of the built web client (default `web/dist`, built by `npm start`); empty disables static serving.',
  ),
  CORS_ORIGINS: setting(csv, 'server', 'Comma-separated allow-list of browser origins; empty allows none.'),
  TRUST_PROXY: setting(
    z.stringbool().default(false),
    'server',
    'Take the client address from `X-Forwarded-For` (only behind a proxy you run).',
  ),
  SHUTDOWN_GRACE_MS: setting(
    positiveInt.default(10_000),
    'server',
    'How long a shutdown waits for requests and sockets in flight before closing.',
  ),
  LOG_LEVEL: setting(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'server',
    'pino level; logs are JSON lines on stdout.',
  ),

  JWT_SECRET: setting(
    z.string().min(32, 'at least 32 characters').optional(),
    'accounts',
    'HS256 signing secret (at least 32 characters). Embedded development generates one into `DATA_DIR`; required in production and in cluster mode (shared by every node).',
  ),
  ACCESS_TOKEN_TTL_SECONDS: setting(positiveInt.default(900), 'accounts', 'Lifetime of an access token.'),
  REFRESH_TOKEN_TTL_SECONDS: setting(positiveInt.default(30 * 24 * 3600), 'accounts', 'Lifetime of a refresh token.'),

  BODY_LIMIT: setting(
    bytes.default(256 * 1024),
    'limits',
    'Largest request body (`262144`, `256kb`, `1mb`); larger bodies get `413`.',
  ),
  RATE_LIMIT_LOGIN_PER_15_MINUTES: setting(
    positiveInt.default(100),
    'limits',
    'Login attempts per client address in 15 minutes.',
  ),
  RATE_LIMIT_LOGIN_ACCOUNT_PER_15_MINUTES: setting(
    positiveInt.default(10),
    'limits',
    'Login attempts per account from one address in 15 minutes (never per account alone: that would let anyone lock a person out).',
  ),
  RATE_LIMIT_REGISTER_PER_HOUR: setting(
    positiveInt.default(20),
    'limits',
    'Registrations per client address in an hour.',
  ),
  RATE_LIMIT_API_PER_MINUTE: setting(
    positiveInt.default(1200),
    'limits',
    'API requests per signed-in user in a minute.',
  ),
  REALTIME_MAX_SOCKETS_PER_USER: setting(
    positiveInt.default(20),
    'limits',
    'Open sockets one account may hold on a realtime node (tabs and devices); the next handshake is refused (`too_many_sockets`).',
  ),

  REALTIME_MAX_MESSAGE_BYTES: setting(
    bytes.default(16 * 1024).refine((size) => size >= 1024, 'at least 1kb: the handshake carries the access token'),
    'limits',
    'Largest Socket.IO message (one websocket frame, one long-polling POST) a realtime node accepts; a larger one closes that socket. Clients send ids and flags of a few hundred bytes.',
  ),

  MIN_REVISION_WAIT_MS: setting(
    positiveInt.max(30_000).default(3_000),
    'consistency',
    'How long a read carrying `Min-Revision`, or a socket join naming a revision the read models lack, waits for the projection before `503 READ_MODEL.BEHIND` (docs/consistency.md).',
  ),
  COMMAND_CONFLICT_DEADLINE_MS: setting(
    positiveInt.min(100).max(120_000).default(10_000),
    'consistency',
    'A command that keeps losing the race on its board is re-decided after short random pauses until this deadline, then answered `503 SERVICE.UNAVAILABLE` with `Retry-After` (docs/adr/0016).',
  ),
  HISTORY_SNAPSHOT_EVERY: setting(
    positiveInt.min(10).max(100_000).default(1_000),
    'consistency',
    'The projector (and a rebuild) stores a snapshot of a board every this many events; time travel folds at most this many history rows after the nearest one (docs/adr/0020).',
  ),

  GRAPHQL_INTROSPECTION: setting(
    z.stringbool().optional(),
    'graphql',
    'Answer introspection (`__schema`, `__type`) on `/api/v1/graphql`. Unset: on, except with `NODE_ENV=production` (docs/adr/0028).',
  ),
  GRAPHQL_MAX_DEPTH: setting(
    positiveInt.max(100).default(10),
    'graphql',
    'Deepest field nesting a GraphQL operation may have; a deeper one is refused before it runs (`VALIDATION.FAILED`, `extensions.limit: depth`).',
  ),
  GRAPHQL_MAX_COST: setting(
    positiveInt.max(10_000_000).default(50_000),
    'graphql',
    'Highest estimated cost of a GraphQL operation (each object field 1, times its page or assumed list size); a costlier one is refused before it runs (docs/adr/0028).',
  ),
  GRAPHQL_PERSISTED_QUERIES: setting(
    z.string().min(1).optional(),
    'graphql',
    'A JSON file with an array of GraphQL documents: when set, only those documents run (an allow-list); a POST may send `extensions.persistedQuery.sha256Hash` instead of the text. Unset: any document.',
  ),

  SMTP_URL: setting(
    z.url({ protocol: /^smtps?$/, error: 'an smtp:// or smtps:// URL' }).optional(),
    'notifications',
    'E-mail notifications through this server (`smtp://[user:pass@]host:port` or `smtps://`); unset: no e-mail.',
  ),
  MAIL_FROM: setting(
    z
      .string()
      .regex(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'an address, or a name and <address>')
      .optional(),
    'notifications',
    'The From header of notification mails, `address@example.com` or `Name <address@example.com>`; required with `SMTP_URL`.',
  ),
  DUE_SOON_SCAN_INTERVAL_MS: setting(
    positiveInt.min(1_000).default(60_000),
    'notifications',
    'How often the due-soon scan looks for tasks due within 24 hours.',
  ),

  RETENTION_REFRESH_TOKENS_DAYS: setting(
    z.coerce.number().int().min(0).max(3650).default(30),
    'retention',
    'Days a refresh token is kept after it expired or its session ended; 0 keeps them forever.',
  ),
  RETENTION_NOTIFICATIONS_DAYS: setting(
    z.coerce.number().int().min(0).max(3650).default(90),
    'retention',
    'Days a notification (and its mail outbox row) is kept after it was created, read or not; 0 keeps them forever.',
  ),
  RETENTION_INTERVAL_MS: setting(
    positiveInt.min(1_000).default(3_600_000),
    'retention',
    'How often the projector process (or the embedded server) deletes what is past retention (`npm run ops -- retention` runs one pass).',
  ),

  OTEL_EXPORTER: setting(
    z.enum(['none', 'otlp', 'console']).default('none'),
    'observability',
    'Where traces go: `otlp` (OTLP/HTTP), `console`, or `none`, which loads no tracing code at all.',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting(
    z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4318'),
    'observability',
    'OTLP/HTTP collector base URL; traces go to `<url>/v1/traces`.',
  ),
  OTEL_SERVICE_NAME: setting(
    z.string().min(1).max(100).optional(),
    'observability',
    'Service name in traces; default `primetrade-<role>` (command-api, relay, projector, realtime), `primetrade` embedded.',
  ),
  OTEL_TRACES_SAMPLER_RATIO: setting(
    z.coerce.number().min(0).max(1).default(1),
    'observability',
    'Share of new traces recorded, 0 to 1.',
  ),
  ERROR_REPORTING_DSN: setting(
    z.url({ protocol: /^https?$/ }).optional(),
    'observability',
    'Unhandled errors are POSTed as JSON (secrets redacted) to this http(s) URL.',
  ),

  DATABASE_URL: setting(
    z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    'cluster',
    'PostgreSQL for read models, accounts, the relay lease and checkpoints. Required in cluster mode.',
  ),
  READ_DATABASE_URLS: setting(
    csv.pipe(z.array(z.url({ protocol: /^postgres(ql)?$/ }))),
    'cluster',
    "Comma-separated streaming replicas of `DATABASE_URL` for the API nodes' reads (docs/adr/0029-read-replicas.md). Empty: every read on the primary.",
  ),
  READ_REPLICA_MAX_LAG_MS: setting(
    positiveInt.max(600_000).default(2_000),
    'cluster',
    'A replica whose replay lags the primary by more than this is taken out of service until it catches up.',
  ),
  EVENT_STORE: setting(
    z.enum(['postgres', 'eventstoredb']).default('postgres'),
    'cluster',
    'Which event store: PostgreSQL (the same or another server) or EventStoreDB.',
  ),
  EVENT_STORE_URL: setting(
    z.string().min(1).optional(),
    'cluster',
    '`postgres`: a connection URL (default `DATABASE_URL`); `eventstoredb`: an `esdb://` connection string (required).',
  ),
  PG_POOL_MAX: setting(positiveInt.default(10), 'cluster', 'Connections per PostgreSQL pool.'),
  KAFKA_BROKERS: setting(csv, 'cluster', 'Comma-separated `host:port` list. Required in cluster mode.'),
  KAFKA_TOPIC: setting(
    z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,200}$/, 'a Kafka topic name')
      .default('taskboard.board-events'),
    'cluster',
    'The topic board events travel on.',
  ),
  KAFKA_PARTITIONS: setting(
    positiveInt.max(1000).default(8),
    'cluster',
    'Partitions of the topic; fixed for its life, since boards hash onto partitions.',
  ),
  PROJECTOR_PARTITIONS_AT_ONCE: setting(
    positiveInt.max(64).default(2),
    'cluster',
    'Partitions a projector applies at the same time, one transaction each (each partition still in order): while PostgreSQL writes one batch, the projector prepares the next (docs/adr/0039). Keep it below `PG_POOL_MAX`.',
  ),
  REDIS_URL: setting(
    z.url({ protocol: /^rediss?$/ }).optional(),
    'cluster',
    'Redis for the Socket.IO adapter, presence, member removals and rate limits. Required in cluster mode.',
  ),
  REDIS_KEY_PREFIX: setting(
    z.string().min(1).default('pt:'),
    'cluster',
    "Namespace of every Redis key (rate limits, presence, the adapter's channels).",
  ),
  NODE_NAME: setting(
    z.string().min(1).optional(),
    'cluster',
    "This process's name in leases and logs; default `<role>-<host>-<pid>`.",
  ),
  RELAY_LEASE_TTL_MS: setting(
    positiveInt.min(1_000).default(6_000),
    'cluster',
    "How long the relay's leader lease lasts unrenewed: how long a frozen or dead leader blocks the standby.",
  ),
  RELAY_KAFKA_TRANSACTIONS: setting(
    z.stringbool().default(false),
    'cluster',
    "Publish each relay batch in a Kafka transaction, so the broker fences a relay that lost its lease. Off by default: consumers' revision guards already make a late batch of such a relay change nothing, and a transaction costs the push two round trips (docs/adr/0035-relay-without-kafka-transactions.md).",
  ),
  OPS_PORT: setting(
    port.default(9464),
    'cluster',
    "Port of the relay's and the projector's `/healthz`, `/readyz`, `/metrics` and `/status`.",
  ),
  SEARCH_URL: setting(
    z.url({ protocol: /^https?$/ }).optional(),
    'search',
    'An OpenSearch node (e.g. `http://127.0.0.1:9200`) for the search index, fed by the search projection and read by `GET /api/v1/search`. Unset: PostgreSQL full text in the read-model database (docs/adr/0024-search-engine.md).',
  ),
  SEARCH_INDEX_PREFIX: setting(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,100}$/, 'lower-case letters, digits, `-` and `_`')
      .default('primetrade'),
    'search',
    'Names of the OpenSearch indexes and aliases (`<prefix>-tasks`, `-access`, `-boards`); one prefix per installation sharing a node.',
  ),
  SEARCH_GATHER_MS: setting(
    z.coerce.number().int().min(0).max(1_000).default(100),
    'search',
    "Cluster: how long the search node's Kafka fetch waits to gather more writes into one batch. Search lags the read models by up to this much more; each write costs the search node and Kafka a fraction of the CPU it would alone, CPU the push path shares (docs/adr/0034). 0: every write at once.",
  ),
});
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function missingSettings(config: Config): string[] {
  const missing: string[] = [];
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET)
    missing.push('JWT_SECRET: required when NODE_ENV=production');
  if (config.SMTP_URL && !config.MAIL_FROM)
    missing.push('MAIL_FROM: required when SMTP_URL is set (the From header of notification mails)');
  if (config.MODE !== 'cluster') return missing;
  // Every node of a cluster must verify the others' tokens: one shared secret, never generated.
  if (!config.JWT_SECRET) missing.push('JWT_SECRET: required in cluster mode (shared by every node)');
  if (!config.DATABASE_URL) missing.push('DATABASE_URL: required in cluster mode');
  if (config.KAFKA_BROKERS.length === 0) missing.push('KAFKA_BROKERS: required in cluster mode');
  if (!config.REDIS_URL) missing.push('REDIS_URL: required in cluster mode');
  if (config.EVENT_STORE === 'eventstoredb' && !config.EVENT_STORE_URL)
    missing.push('EVENT_STORE_URL: required with EVENT_STORE=eventstoredb');
  return missing;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = configSchema.safeParse(known);
  if (result.success) {
    const missing = missingSettings(result.data);
    if (missing.length > 0)
      throw new ConfigError(`Invalid configuration:\n${missing.map((line) => `  ${line}`).join('\n')}`);
    return result.data;
  }
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
