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
  MODE: z.enum(['embedded']).default('embedded'),
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
  RATE_LIMIT_LOGIN_PER_MINUTE: positiveInt.default(10),
  RATE_LIMIT_REGISTER_PER_HOUR: positiveInt.default(20),
  RATE_LIMIT_API_PER_MINUTE: positiveInt.default(1200),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Directory of the built web client; empty disables static serving. */
  WEB_ROOT: z.string().optional(),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = configSchema.safeParse(known);
  if (result.success) {
    if (result.data.NODE_ENV === 'production' && !result.data.JWT_SECRET) {
      throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
    }
    return result.data;
  }
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
