import { DomainError } from '@primetrade/domain';
import { z } from './zod.js';

/**
 * The `Min-Revision` consistency token (docs/consistency.md, ADR 0014): either one revision (a
 * board-scoped read: the revision of that board) or a vector `<boardId>:<revision>, …` (any read;
 * cross-board lists need it). At most `maxMinRevisionEntries` boards.
 */
export const minRevisionHeader = 'Min-Revision';
export const maxMinRevisionEntries = 32;

export interface MinRevisionToken {
  /** The bare form's revision, for the board the route names. */
  readonly revision: number | null;
  /** The vector form: board id → revision (the highest when a board is listed twice). */
  readonly boards: ReadonlyMap<string, number>;
}

/** Which boards a read's token may name: the route's board, a task's board, or any of mine. */
export type MinRevisionScope = 'board' | 'task' | 'boards';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const revisionPattern = /^\d{1,15}$/;

/** For the OpenAPI document: the header every read that honours the token declares. */
export const minRevisionHeaders = z.object({
  'min-revision': z
    .string()
    .optional()
    .openapi({
      description:
        'Read-your-writes: answer only once the read models reached these board revisions (the `revision` of your own write). ' +
        `Either \`<revision>\` (this board) or \`<boardId>:<revision>, …\` (up to ${maxMinRevisionEntries} boards). ` +
        'Waits a few seconds at most, then 503 READ_MODEL.BEHIND with Retry-After. Boards you are not a member of are ignored.',
      example: '3f0c6a52-5d7e-4f5b-9d0c-8f0f3f1b2a10:42',
    }),
});

const malformed = (why: string): DomainError =>
  new DomainError('VALIDATION.FAILED', `headers.min-revision: ${why}`, [
    { field: 'headers.min-revision', message: why },
  ]);

/** Parses the header; null when absent. Throws 400 VALIDATION.FAILED naming the header. */
export function parseMinRevision(value: string | undefined): MinRevisionToken | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if (revisionPattern.test(text)) return { revision: Number(text), boards: new Map() };
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > maxMinRevisionEntries) throw malformed(`at most ${maxMinRevisionEntries} boards`);
  const boards = new Map<string, number>();
  for (const entry of entries) {
    const [boardId = '', revision = '', ...rest] = entry.split(':');
    if (rest.length > 0 || !uuidPattern.test(boardId) || !revisionPattern.test(revision)) {
      throw malformed('expected <revision> or <boardId>:<revision>, … (board ids are UUIDs, revisions whole numbers)');
    }
    const id = boardId.toLowerCase();
    boards.set(id, Math.max(boards.get(id) ?? -1, Number(revision)));
  }
  return { revision: null, boards };
}
