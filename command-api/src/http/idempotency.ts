import { createHash } from 'node:crypto';
import { DomainError } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import type { Logger } from '@primetrade/platform';
import type { Middleware } from 'koa';
import { writeProblem } from './problem.js';
import type { AppContext, AppState } from './state.js';

export interface IdempotencyOptions {
  readonly sql: Sql;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** How long a key is remembered. Default 24 h. */
  readonly ttlMs?: number;
  /** A first request still "running" after this long is taken to have died with its process. Default 5 min. */
  readonly abandonAfterMs?: number;
}

/** 1..200 visible ASCII characters (no spaces, no control characters). */
const validKey = /^[\x21-\x7e]{1,200}$/;
/** Response headers worth replaying; the rest (dates, request ids) belong to each answer. */
const replayedHeaders = ['content-type', 'etag', 'location'];

interface StoredKey {
  readonly request_hash: string;
  readonly status: number | null;
  readonly headers: Record<string, string> | null;
  readonly body: unknown;
  readonly created_at: Date;
}

const requestHash = (ctx: AppContext): string =>
  createHash('sha256')
    .update(
      `${ctx.method}\n${ctx.path}\n${ctx.querystring}\n${ctx.get('If-Match')}\n${JSON.stringify((ctx.request as { body?: unknown }).body ?? null)}`,
    )
    .digest('base64url');

/**
 * `Idempotency-Key` on POST (docs/api.md): the first request with a key acts and its 2xx answer is
 * stored; a retry with the same request gets that answer again (`Idempotent-Replayed: true`) without
 * acting. Runs after authentication: keys are per user. A refusal changed nothing, and some are
 * temporary (a busy board, a lagging read model), so any non-2xx answer releases the key: a retry
 * then acts as a first request would.
 */
export function idempotency(options: IdempotencyOptions): Middleware<AppState> {
  const ttlMs = options.ttlMs ?? 24 * 3600_000;
  const abandonAfterMs = options.abandonAfterMs ?? 5 * 60_000;
  const store = keyStore(options.sql);
  let lastSweep = 0;

  return async (ctx, next) => {
    // Present but empty is a bad key, not "no key".
    const present = ctx.headers['idempotency-key'] !== undefined;
    const key = ctx.get('Idempotency-Key');
    const userId = ctx.state.user?.id;
    if (ctx.method !== 'POST' || !present || !userId) {
      await next();
      return;
    }
    if (!validKey.test(key)) {
      throw new DomainError('VALIDATION.FAILED', 'Idempotency-Key must be 1 to 200 visible ASCII characters', [
        { field: 'headers.idempotency-key', message: 'Invalid Idempotency-Key' },
      ]);
    }
    const now = options.clock();
    // Lazy sweep, at most once a minute per process: no timers in the app (createApp has no side effects).
    if (now.getTime() - lastSweep > 60_000) {
      lastSweep = now.getTime();
      await store.sweep(new Date(now.getTime() - ttlMs));
    }
    const hash = requestHash(ctx);
    const claimed = await store.claim(
      userId,
      key,
      hash,
      now,
      new Date(now.getTime() - ttlMs),
      new Date(now.getTime() - abandonAfterMs),
    );
    if (!claimed) return answerFromStore(ctx, await store.find(userId, key), hash);
    await actAndRecord(ctx, next, options.logger, {
      save: (status, headers, body) => store.complete(userId, key, status, headers, body),
      release: () => store.release(userId, key),
    });
  };
}

function answerFromStore(ctx: AppContext, stored: StoredKey | null, hash: string): void {
  // Claimed and released between our two statements: the first request failed with a 5xx.
  if (!stored)
    throw new DomainError(
      'IDEMPOTENCY.IN_PROGRESS',
      'A request with this Idempotency-Key is in progress; retry shortly',
    );
  if (stored.request_hash !== hash) {
    throw new DomainError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used for a different request');
  }
  if (stored.status === null) {
    throw new DomainError(
      'IDEMPOTENCY.IN_PROGRESS',
      'A request with this Idempotency-Key is in progress; retry shortly',
    );
  }
  ctx.status = stored.status;
  ctx.body = stored.body ?? null;
  // After the body: Koa's body setter would replace a stored `application/problem+json`.
  for (const [name, value] of Object.entries(stored.headers ?? {})) ctx.set(name, value);
  ctx.set('Idempotent-Replayed', 'true');
}

interface Recorder {
  save(status: number, headers: Record<string, string>, body: unknown): Promise<void>;
  release(): Promise<void>;
}

async function actAndRecord(
  ctx: AppContext,
  next: () => Promise<unknown>,
  logger: Logger,
  recorder: Recorder,
): Promise<void> {
  try {
    await next();
  } catch (error) {
    // Render the problem here, so the key is released before the outer translator sees a finished response.
    writeProblem(ctx, error, logger);
  }
  const body: unknown = ctx.body ?? null;
  const storable = ctx.status >= 200 && ctx.status < 300 && ctx.state.refused !== true && isStorableBody(body);
  if (!storable) {
    await recorder.release();
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of replayedHeaders) {
    const value = ctx.response.get(name);
    if (value !== '') headers[name] = value;
  }
  await recorder.save(ctx.status, headers, body);
}

/** JSON values, and the JSON text a GraphQL answer is written as (graphql/graphql.routes.ts). */
const isStorableBody = (body: unknown): boolean => typeof body === 'string' || isJsonValue(body);

const isJsonValue = (body: unknown): boolean =>
  body === null ||
  Array.isArray(body) ||
  (typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype);

function keyStore(sql: Sql) {
  return {
    async sweep(expiredBefore: Date): Promise<void> {
      await sql.query('DELETE FROM idempotency_keys WHERE created_at < $1', [expiredBefore]);
    },
    /** Inserts the key, or takes over an expired or abandoned one; false when someone else holds it. */
    async claim(
      userId: string,
      key: string,
      hash: string,
      now: Date,
      expiredBefore: Date,
      abandonedBefore: Date,
    ): Promise<boolean> {
      const rows = await sql.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, status = NULL, headers = NULL, body = NULL, created_at = EXCLUDED.created_at
           WHERE idempotency_keys.created_at < $5 OR (idempotency_keys.status IS NULL AND idempotency_keys.created_at < $6)
         RETURNING 1 AS claimed`,
        [userId, key, hash, now, expiredBefore, abandonedBefore],
      );
      return rows.length === 1;
    },
    async find(userId: string, key: string): Promise<StoredKey | null> {
      const rows = await sql.query<StoredKey>(
        'SELECT request_hash, status, headers, body, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2',
        [userId, key],
      );
      return rows[0] ?? null;
    },
    async complete(
      userId: string,
      key: string,
      status: number,
      headers: Record<string, string>,
      body: unknown,
    ): Promise<void> {
      await sql.query(
        'UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE user_id = $1 AND key = $2',
        [userId, key, status, JSON.stringify(headers), JSON.stringify(body)],
      );
    },
    async release(userId: string, key: string): Promise<void> {
      await sql.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL', [userId, key]);
    },
  };
}
