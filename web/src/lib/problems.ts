import type { ErrorCode, ErrorDetail } from '@primetrade/domain';

/** Codes the client adds for failures that never reached the server's translator. */
export type ClientErrorCode = 'NETWORK' | 'UNEXPECTED';

/**
 * Readable text for the stable codes (domain/src/errors.ts); the server's detail follows it. Partial
 * so a code added on the server shows its detail here rather than breaking the web build.
 */
const readable: Partial<Record<ErrorCode | ClientErrorCode, string>> = {
  'VALIDATION.FAILED': 'Some of the input is not valid',
  'AUTH.UNAUTHENTICATED': 'Please log in again',
  'AUTH.INVALID_CREDENTIALS': 'Wrong email or password',
  'AUTH.TOKEN_EXPIRED': 'Your session expired, please log in again',
  'AUTH.REFRESH_INVALID': 'Your session ended, please log in again',
  'AUTH.ACCOUNT_DISABLED': 'This account is disabled',
  'AUTH.FORBIDDEN': 'You are not allowed to do that',
  'AUTH.EMAIL_TAKEN': 'An account with this email already exists',
  'BOARD.NOT_FOUND': 'This board does not exist or you are not a member',
  'BOARD.ALREADY_EXISTS': 'This board already exists',
  'BOARD.ARCHIVED': 'The board is archived: restore it to change it',
  'BOARD.NOT_ARCHIVED': 'The board is not archived',
  'MEMBER.NOT_FOUND': 'This person is not a member of the board',
  'MEMBER.ALREADY_EXISTS': 'This person is already a member',
  'MEMBER.LAST_OWNER': 'A board needs at least one owner',
  'USER.NOT_FOUND': 'No account with this email',
  'USER.LAST_ADMIN': 'The system needs at least one admin',
  'USER.ACCOUNT_INACTIVE': 'This account is disabled or erased',
  'USER.SOLE_OWNER':
    'This person is the only owner of some boards: name a successor, or make another member an owner first',
  'COLUMN.NOT_FOUND': 'This column no longer exists',
  'COLUMN.ALREADY_EXISTS': 'This column already exists',
  'COLUMN.NOT_EMPTY': 'Move or delete the tasks of this column first',
  'COLUMN.LAST_COLUMN': 'A board needs at least one column',
  'COLUMN.WIP_LIMIT_REACHED': 'The column is at its WIP limit',
  'COLUMN.INVALID_ANCHOR': 'The column moved meanwhile, try again',
  'TASK.NOT_FOUND': 'This task no longer exists',
  'TASK.ALREADY_EXISTS': 'This task already exists',
  'TASK.ARCHIVED': 'The task is archived: restore it to change it',
  'TASK.NOT_ARCHIVED': 'The task is not archived',
  'TASK.ALREADY_COMPLETED': 'The task is already complete',
  'TASK.NOT_COMPLETED': 'The task is not complete',
  'TASK.ASSIGNEE_NOT_MEMBER': 'Assignees must be members of the board',
  'TASK.INVALID_ANCHOR': 'The cards moved meanwhile, try again',
  'COMMENT.NOT_FOUND': 'This comment no longer exists',
  'COMMENT.ALREADY_EXISTS': 'This comment already exists',
  'COMMENT.NOT_AUTHOR': 'Only the author can change this comment',
  'NOTIFICATION.NOT_FOUND': 'This notification no longer exists',
  'UNDO.CHANGE_NOT_FOUND': 'That change does not exist',
  'UNDO.UNSAFE': 'This change cannot be undone safely',
  'UNDO.NOT_UNDOABLE': 'This change cannot be undone',
  'REVISION.MISMATCH': 'Someone changed this meanwhile: review and try again',
  'REVISION.CONFLICT': 'Someone changed this at the same moment: try again',
  'IDEMPOTENCY.KEY_REUSED': 'This request was already sent with different content',
  'IDEMPOTENCY.IN_PROGRESS': 'The same request is still being processed',
  'REQUEST.TOO_LARGE': 'That is too much text to send at once',
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 'The request format was refused',
  'REQUEST.HEADERS_TOO_LARGE': 'The request was too large: try signing in again',
  'REQUEST.TIMEOUT': 'The request took too long to send: try again',
  RATE_LIMITED: 'Too many requests: wait a moment and try again',
  'ROUTE.NOT_FOUND': 'Not found',
  'SERVICE.UNAVAILABLE': 'The service is unavailable right now, try again shortly',
  'READ_MODEL.BEHIND': 'Your last change is still on its way: try again in a moment',
  INTERNAL: 'Something went wrong on the server',
  NETWORK: 'Cannot reach the server: check your connection',
  UNEXPECTED: 'Unexpected answer from the server',
};

/** A refused or failed request, carrying the problem+json fields. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    readonly detail: string,
    readonly fields: readonly ErrorDetail[] = [],
  ) {
    super(detail);
  }

  /** The headline shown to people: the code in words. */
  get title(): string {
    return readable[this.code] ?? 'The request was refused';
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** `body.password` → `password`: people do not need to know the request layout. */
export const fieldName = (field: string | undefined): string =>
  (field ?? '').replace(/^(body|query|params|headers)\./, '');

/** One line for a toast or an alert: the readable code, then what the server said. */
export function describeError(error: unknown): string {
  if (!isApiError(error)) return error instanceof Error ? error.message : String(error);
  const fields = error.fields.map((item) => (item.field ? `${fieldName(item.field)}: ${item.message}` : item.message));
  const detail = fields.length > 0 ? fields.join('; ') : error.detail;
  return detail && detail !== error.title ? `${error.title}. ${detail}` : error.title;
}

/** The message for one form field, if the server named it. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!isApiError(error)) return undefined;
  return error.fields.find((item) => fieldName(item.field) === field)?.message;
}
