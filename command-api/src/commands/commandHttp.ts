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
