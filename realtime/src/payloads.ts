/**
 * Parsers for client → server payloads (domain/src/realtime.contract.ts). Hand-written instead of
 * zod because the shapes are three tiny records and this package should not pull a validator for them.
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export interface JoinPayload {
  readonly boardId: string;
  readonly afterRevision: number | null;
}
export interface LeavePayload {
  readonly boardId: string;
}
export interface PresencePayload {
  readonly boardId: string;
  /** `undefined` keeps what the socket showed before. */
  readonly taskId: string | null | undefined;
  readonly editing: boolean | undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: unknown): value is string => typeof value === 'string' && uuidPattern.test(value);
/**
 * Ids are minted in lower case (randomUUID), and room names, stream ids and presence keys compare
 * strings. PostgreSQL would admit `ABC…` as the member's board, and the socket would sit in a room
 * `board:ABC…` that no push ever reaches: one spelling for everything.
 */
const canonicalUuid = (value: string): string => value.toLowerCase();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (message: string): Parsed<never> => ({ ok: false, message });

function parseBoardId(payload: unknown): Parsed<{ record: Record<string, unknown>; boardId: string }> {
  if (!isRecord(payload)) return fail('payload must be an object');
  const boardId = payload['boardId'];
  if (!isUuid(boardId)) return fail('boardId must be a UUID');
  return { ok: true, value: { record: payload, boardId: canonicalUuid(boardId) } };
}

export function parseJoin(payload: unknown): Parsed<JoinPayload> {
  const base = parseBoardId(payload);
  if (!base.ok) return base;
  const afterRevision = base.value.record['afterRevision'];
  if (afterRevision !== undefined && !(Number.isSafeInteger(afterRevision) && (afterRevision as number) >= 0)) {
    return fail('afterRevision must be a non-negative integer');
  }
  return {
    ok: true,
    value: { boardId: base.value.boardId, afterRevision: (afterRevision as number | undefined) ?? null },
  };
}

export function parseLeave(payload: unknown): Parsed<LeavePayload> {
  const base = parseBoardId(payload);
  return base.ok ? { ok: true, value: { boardId: base.value.boardId } } : base;
}

export function parsePresence(payload: unknown): Parsed<PresencePayload> {
  const base = parseBoardId(payload);
  if (!base.ok) return base;
  const { taskId, editing } = base.value.record;
  if (taskId !== undefined && taskId !== null && !isUuid(taskId)) return fail('taskId must be a UUID or null');
  if (editing !== undefined && typeof editing !== 'boolean') return fail('editing must be a boolean');
  return {
    ok: true,
    value: {
      boardId: base.value.boardId,
      taskId: typeof taskId === 'string' ? canonicalUuid(taskId) : taskId,
      editing,
    },
  };
}
