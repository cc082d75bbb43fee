import { z } from 'zod';
import { ConfigError, configSchema } from './config.js';

/**
 * What the operations CLI reads from the environment: the cluster's variables (same names and
 * rules as the services, see `configSchema`, retention days included) plus the webhook secret of `replay`.
 */
const opsSchema = configSchema.pick({
  DATABASE_URL: true,
  EVENT_STORE: true,
  EVENT_STORE_URL: true,
  KAFKA_BROKERS: true,
  KAFKA_TOPIC: true,
  RETENTION_REFRESH_TOKENS_DAYS: true,
  RETENTION_NOTIFICATIONS_DAYS: true,
  HISTORY_SNAPSHOT_EVERY: true,
  SEARCH_URL: true,
  SEARCH_INDEX_PREFIX: true,
});

export interface OpsConfig {
  /** Read models, checkpoints, accounts. */
  readonly databaseUrl: string;
  /** The PostgreSQL event store (default: DATABASE_URL). */
  readonly storeUrl: string;
  readonly eventStore: 'postgres' | 'eventstoredb';
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  /** LOG_LEVEL; the CLI's own default is `warn` (its output is the progress and result lines). */
  readonly logLevel: string;
  /** HMAC key of `replay` deliveries (REPLAY_WEBHOOK_SECRET). */
  readonly webhookSecret: string | null;
  /** Days of `retention` (RETENTION_REFRESH_TOKENS_DAYS, RETENTION_NOTIFICATIONS_DAYS; 0 keeps forever). */
  readonly retention: { readonly refreshTokenDays: number; readonly notificationDays: number };
  /** K of the history snapshots a `rebuild` writes (HISTORY_SNAPSHOT_EVERY). */
  readonly historySnapshotEvery: number;
  /** OpenSearch of `search-rebuild` (SEARCH_URL), null when search runs on PostgreSQL; its index prefix. */
  readonly search: { readonly url: string | null; readonly prefix: string };
}

export const minimumSecretLength = 32;

/** Settings only the operations CLI reads (documented with the services' in docs/configuration.md). */
export const opsOnlySchema = z.object({
  REPLAY_WEBHOOK_SECRET: z
    .string()
    .min(minimumSecretLength, `at least ${minimumSecretLength} characters`)
    .optional()
    .meta({
      section: 'ops',
      description:
        'HMAC key that signs every delivery of `replay` (at least 32 characters); `replay` refuses to run without it.',
    }),
});

export function loadOpsConfig(env: Record<string, string | undefined> = process.env): OpsConfig {
  const known = Object.fromEntries(
    Object.keys(opsSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = opsSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  }
  const config = parsed.data;
  const logLevel = configSchema.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL || 'warn');
  if (!logLevel.success)
    throw new ConfigError(`Invalid configuration:\n  LOG_LEVEL: ${logLevel.error.issues[0]?.message ?? 'invalid'}`);
  if (!config.DATABASE_URL)
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_URL: required (the read-model PostgreSQL, e.g. postgres://user@host:5432/primetrade)',
    );
  const secret = opsOnlySchema.shape.REPLAY_WEBHOOK_SECRET.safeParse(env.REPLAY_WEBHOOK_SECRET || undefined);
  if (!secret.success)
    throw new ConfigError(
      `Invalid configuration:\n  REPLAY_WEBHOOK_SECRET: ${secret.error.issues[0]?.message ?? 'invalid'}`,
    );
  return {
    databaseUrl: config.DATABASE_URL,
    storeUrl: config.EVENT_STORE_URL ?? config.DATABASE_URL,
    eventStore: config.EVENT_STORE,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaTopic: config.KAFKA_TOPIC,
    logLevel: logLevel.data,
    webhookSecret: secret.data ?? null,
    retention: {
      refreshTokenDays: config.RETENTION_REFRESH_TOKENS_DAYS,
      notificationDays: config.RETENTION_NOTIFICATIONS_DAYS,
    },
    historySnapshotEvery: config.HISTORY_SNAPSHOT_EVERY,
    search: { url: config.SEARCH_URL ?? null, prefix: config.SEARCH_INDEX_PREFIX },
  };
}
