import { setTimeout as sleep } from 'node:timers/promises';
import { createHmac } from 'node:crypto';
import { boardStreamPrefix } from '@primetrade/domain';
import { toEnvelope, type EventStore, type Position } from '@primetrade/platform';

export interface ReplayOptions {
  readonly store: EventStore;
  readonly url: URL;
  /** Exclusive: the last position the endpoint already has; null = from the start. */
  readonly from: Position | null;
  readonly secret: string;
  readonly batchSize: number;
  /** Retries of one batch after a network error, 408, 429 or 5xx. */
  readonly maxRetries: number;
  readonly backoffMs: { readonly initial: number; readonly max: number };
  readonly onProgress: (progress: { delivered: number; lastPosition: Position }) => void;
  readonly onRetry: (retry: { attempt: number; delayMs: number; reason: string }) => void;
  readonly fetchTimeoutMs?: number;
}

export interface ReplayResult {
  readonly delivered: number;
  /** Resume with `--from` this; null when nothing was delivered (then resume with the same `--from`). */
  readonly lastPosition: Position | null;
}

/** Failed for good: `lastPosition` is where a new run should resume. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  constructor(
    message: string,
    readonly result: ReplayResult,
  ) {
    super(message);
  }
}

export const signatureHeader = 'x-primetrade-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the GitHub-style webhook signature. */
export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

async function post(
  options: ReplayOptions,
  body: string,
  lastPosition: Position,
): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string }> {
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [signatureHeader]: signBody(options.secret, body),
        'x-primetrade-last-position': lastPosition,
      },
      body,
      signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 30_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    return { ok: false, retry: retryableStatus(response.status), reason: `HTTP ${response.status}` };
  } catch (error) {
    return {
      ok: false,
      retry: true,
      reason:
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error),
    };
  }
}

/** One batch until delivered; throws a ReplayError when refused or out of retries. */
async function deliver(
  options: ReplayOptions,
  body: string,
  lastPosition: Position,
  done: ReplayResult,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await post(options, body, lastPosition);
    if (outcome.ok) return;
    if (!outcome.retry)
      throw new ReplayError(`the endpoint refused the batch ending at ${lastPosition}: ${outcome.reason}`, done);
    if (attempt >= options.maxRetries)
      throw new ReplayError(`gave up after ${attempt + 1} attempts: ${outcome.reason}`, done);
    const delayMs = Math.min(options.backoffMs.max, options.backoffMs.initial * 2 ** attempt);
    options.onRetry({ attempt: attempt + 1, delayMs, reason: outcome.reason });
    await sleep(delayMs * (0.5 + Math.random() / 2));
  }
}

/**
 * `replay --to <url> --from <position>`: POSTs every board event after `from`, in store order, as
 * `{ events: Envelope[], lastPosition }` batches, each signed. A batch is sent only after the one
 * before it was acknowledged (2xx), so the endpoint sees the events in order; at-least-once (a
 * batch whose answer was lost is sent again), so endpoints deduplicate by event id.
 */
export async function replayToWebhook(options: ReplayOptions): Promise<ReplayResult> {
  let delivered = 0;
  let lastPosition: Position | null = null;
  let after = options.from;
  for (;;) {
    const batch = await options.store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: options.batchSize });
    const last = batch.at(-1);
    if (!last) return { delivered, lastPosition };
    const body = JSON.stringify({ events: batch.map(toEnvelope), lastPosition: last.position });
    await deliver(options, body, last.position, { delivered, lastPosition });
    delivered += batch.length;
    lastPosition = last.position;
    after = last.position;
    options.onProgress({ delivered, lastPosition });
  }
}
