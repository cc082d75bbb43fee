import { createHash } from 'node:crypto';
import { DomainError, type CommandMetadata } from '@primetrade/domain';
import type { AppContext } from '../http/state.js';
import { requireUser } from '../http/state.js';

/** `W/"12"`, `"12"` or `12`: the board revision a conditional write expects. */
const ifMatchPattern = /^(?:W\/)?"?(-1|\d{1,15})"?$/;

/** The If-Match revision, undefined when absent; a malformed header is a 400 naming it. */
export function parseIfMatch(ctx: AppContext): number | undefined {
  const header = ctx.get('If-Match').trim();
  if (header === '') return undefined;
  const match = ifMatchPattern.exec(header);
  if (match?.[1] === undefined) {
    throw new DomainError('VALIDATION.FAILED', 'If-Match must be a board revision like W/"12"', [
      { field: 'headers.if-match', message: 'must be a board revision like W/"12"' },
    ]);
  }
  return Number(match[1]);
}

export const etagOf = (revision: number): string => `W/"${revision}"`;

/** Every write and board read carries the board revision as a weak ETag. */
export function setRevision(ctx: AppContext, revision: number): void {
  ctx.set('ETag', etagOf(revision));
}

/** Command metadata: time from the injected clock, the actor from the authenticated user. */
export const commandMetadata = (ctx: AppContext, clock: () => Date): CommandMetadata => ({
  now: clock().toISOString(),
  actorId: requireUser(ctx).id,
});

/** Options for `handle`: If-Match plus the request id as correlation id. */
export const handleOptions = (ctx: AppContext) => ({
  expectedRevision: parseIfMatch(ctx),
  correlationId: ctx.state.requestId,
  causationId: null,
});

/** A UUID (version 8, RFC 9562) from the first 16 bytes of a hash. */
function uuidFromDigest(digest: Buffer): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Ids for what a POST creates. With an `Idempotency-Key` they derive from (user, path, key, n): a
 * retry after an answer that was lost (a 5xx after the append committed) decides on the same ids,
 * so the domain refuses it as `*.ALREADY_EXISTS` instead of creating a twin. `scope` defaults to the
 * path; a GraphQL document names each mutation by its response path instead (graphql/graphql.mutations.ts).
 */
export function requestIds(ctx: AppContext, newId: () => string, scope: string = ctx.path): () => string {
  const key = ctx.get('Idempotency-Key');
  const userId = ctx.state.user?.id;
  if (key === '' || userId === undefined) return newId;
  let n = 0;
  return () => uuidFromDigest(createHash('sha256').update(`${userId}\n${scope}\n${key}\n${n++}`).digest());
}
