import { z } from 'zod';

/**
 * The one place that reads the environment (STYLE §11). Everything else receives a typed Config.
 * Invalid values fail at start with a message naming the variable.
 */
const csv = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

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

export const configSchema = z.object({
  /** embedded: one process on PGlite. cluster: one service per process on PostgreSQL, Kafka and Redis (DESIGN §1 modes). */
  MODE: z.enum(['embedded', 'cluster']).default('embedded'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Required in production; embedded development generates one and keeps it in DATA_DIR. */
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  CORS_ORIGINS: csv,
  BODY_LIMIT: bytes.default(256 * 1024),
  TRUST_PROXY: z.stringbool().default(false),
  /** Login attempts per client address, and per account from one address, in 15-minute windows. */
  RATE_LIMIT_LOGIN_PER_15_MINUTES: positiveInt.default(100),
  RATE_LIMIT_LOGIN_ACCOUNT_PER_15_MINUTES: positiveInt.default(10),
  RATE_LIMIT_REGISTER_PER_HOUR: positiveInt.default(20),
  RATE_LIMIT_API_PER_MINUTE: positiveInt.default(1200),
  /** Open sockets one account may hold on a realtime node (tabs and devices); the next handshake is refused. */
  REALTIME_MAX_SOCKETS_PER_USER: positiveInt.default(20),
  /**
   * Largest Socket.IO message (one websocket frame, one long-polling POST) a realtime node accepts;
   * a larger one closes that socket. Clients send ids and flags of a few hundred bytes; Socket.IO's
   * own 1 MB default let one socket make the node buffer and parse a megabyte per message.
   */
  REALTIME_MAX_MESSAGE_BYTES: bytes.default(16 * 1024).refine((size) => size >= 1024, 'at least 1kb: the handshake carries the access token'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Directory of the built web client; empty disables static serving. */
  WEB_ROOT: z.string().optional(),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  /**
   * Read-your-writes (docs/consistency.md): how long a read carrying `Min-Revision`, or a socket join
   * naming a revision the read models lack, waits for the projection before giving up.
   */
  MIN_REVISION_WAIT_MS: positiveInt.max(30_000).default(3_000),
  /**
   * A command that keeps losing the race on its board's stream is re-decided after short jittered
   * pauses until this deadline, then refused with 503 (docs/adr/0016).
   */
  COMMAND_CONFLICT_DEADLINE_MS: positiveInt.min(100).max(120_000).default(10_000),

  // ── notifications (issue 5) ──────────────────────────────────────────────────
  /** E-mail notifications through this server (`smtp://[user:pass@]host:port`, or `smtps://`); unset: no e-mail. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'an smtp:// or smtps:// URL' }).optional(),
  /** The From header of notification mails, `address@example.com` or `Name <address@example.com>`; required with SMTP_URL. */
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'an address, or a name and <address>')
    .optional(),
  /** How often the due-soon scan looks for tasks due within 24 hours. */
  DUE_SOON_SCAN_INTERVAL_MS: positiveInt.min(1_000).default(60_000),

  // ── observability (README "Tracing") ─────────────────────────────────────────
  /** Where traces go; none (the default) loads no tracing code at all. */
  OTEL_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  /** OTLP/HTTP collector base URL; traces go to `<url>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4318'),
  /** Default: primetrade-<role> (command-api, relay, projector, realtime; `primetrade` embedded). */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
  /** Share of new traces recorded, 0..1. */
  OTEL_TRACES_SAMPLER_RATIO: z.coerce.number().min(0).max(1).default(1),
  /** Sentry-style hook: unhandled errors are POSTed as JSON (secrets redacted) to this URL. */
  ERROR_REPORTING_DSN: z.url({ protocol: /^https?$/ }).optional(),

  // ── cluster mode ─────────────────────────────────────────────────────────────
  /** Read models and accounts (PostgreSQL). Required in cluster mode. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Which event store: PostgreSQL (same or another server) or EventStoreDB. */
  EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
  /** postgres: a connection URL (default DATABASE_URL); eventstoredb: an esdb:// connection string. */
  EVENT_STORE_URL: z.string().min(1).optional(),
  PG_POOL_MAX: positiveInt.default(10),
  KAFKA_BROKERS: csv,
  KAFKA_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, 'a Kafka topic name').default('taskboard.board-events'),
  /** Fixed for the life of the topic: boards hash onto partitions. */
  KAFKA_PARTITIONS: positiveInt.max(1000).default(8),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Namespace of every Redis key (rate limits, presence, the Socket.IO adapter's channels). */
  REDIS_KEY_PREFIX: z.string().min(1).default('pt:'),
  /** This process's name in leases and logs; default host-pid. */
  NODE_NAME: z.string().min(1).optional(),
  /** How long the relay's leader lease lasts unrenewed: the standby's takeover time. */
  RELAY_LEASE_TTL_MS: positiveInt.min(1_000).default(6_000),
  /** Port of the relay's and the projector's /healthz, /readyz and /metrics. */
  OPS_PORT: port.default(9464),
  /** Fault suite only: the relay SIGKILLs itself after Kafka acked a batch, before its checkpoint. */
  FAULT_RELAY_CRASH_AFTER_ACK: z.stringbool().default(false),
  /** Fault suite only: the projector SIGKILLs itself inside a batch transaction, before the commit. */
  FAULT_PROJECTOR_CRASH_IN_BATCH: z.stringbool().default(false),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function missingSettings(config: Config): string[] {
  const missing: string[] = [];
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET) missing.push('JWT_SECRET: required when NODE_ENV=production');
  if (config.SMTP_URL && !config.MAIL_FROM) missing.push('MAIL_FROM: required when SMTP_URL is set (the From header of notification mails)');
  if (config.MODE !== 'cluster') return missing;
  // Every node of a cluster must verify the others' tokens: one shared secret, never generated.
  if (!config.JWT_SECRET) missing.push('JWT_SECRET: required in cluster mode (shared by every node)');
  if (!config.DATABASE_URL) missing.push('DATABASE_URL: required in cluster mode');
  if (config.KAFKA_BROKERS.length === 0) missing.push('KAFKA_BROKERS: required in cluster mode');
  if (!config.REDIS_URL) missing.push('REDIS_URL: required in cluster mode');
  if (config.EVENT_STORE === 'eventstoredb' && !config.EVENT_STORE_URL) missing.push('EVENT_STORE_URL: required with EVENT_STORE=eventstoredb');
  return missing;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = configSchema.safeParse(known);
  if (result.success) {
    const missing = missingSettings(result.data);
    if (missing.length > 0) throw new ConfigError(`Invalid configuration:\n${missing.map((line) => `  ${line}`).join('\n')}`);
    return result.data;
  }
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
