/** Stable error codes. The web client switches on these; never rename one. */
export const errorStatus = {
  'VALIDATION.FAILED': 400,
  'AUTH.UNAUTHENTICATED': 401,
  'AUTH.INVALID_CREDENTIALS': 401,
  'AUTH.TOKEN_EXPIRED': 401,
  'AUTH.REFRESH_INVALID': 401,
  'AUTH.ACCOUNT_DISABLED': 403,
  'AUTH.FORBIDDEN': 403,
  'AUTH.EMAIL_TAKEN': 409,
  'BOARD.NOT_FOUND': 404,
  'BOARD.ALREADY_EXISTS': 409,
  'BOARD.ARCHIVED': 409,
  'BOARD.NOT_ARCHIVED': 409,
  'MEMBER.NOT_FOUND': 404,
  'MEMBER.ALREADY_EXISTS': 409,
  'MEMBER.LAST_OWNER': 409,
  'USER.NOT_FOUND': 404,
  'USER.LAST_ADMIN': 409,
  /** The account is disabled or erased: it cannot be made (again) a member of a board. */
  'USER.ACCOUNT_INACTIVE': 409,
  /** Erasure refused: the person is the only owner of boards (listed in the details) and no successor was named. */
  'USER.SOLE_OWNER': 409,
  'COLUMN.NOT_FOUND': 404,
  'COLUMN.ALREADY_EXISTS': 409,
  'COLUMN.NOT_EMPTY': 409,
  'COLUMN.LAST_COLUMN': 409,
  'COLUMN.WIP_LIMIT_REACHED': 409,
  'COLUMN.INVALID_ANCHOR': 422,
  'TASK.NOT_FOUND': 404,
  'TASK.ALREADY_EXISTS': 409,
  'TASK.ARCHIVED': 409,
  'TASK.NOT_ARCHIVED': 409,
  'TASK.ALREADY_COMPLETED': 409,
  'TASK.NOT_COMPLETED': 409,
  'TASK.ASSIGNEE_NOT_MEMBER': 422,
  'TASK.INVALID_ANCHOR': 422,
  'COMMENT.NOT_FOUND': 404,
  'COMMENT.ALREADY_EXISTS': 409,
  'COMMENT.NOT_AUTHOR': 403,
  'NOTIFICATION.NOT_FOUND': 404,
  'UNDO.CHANGE_NOT_FOUND': 404,
  'UNDO.UNSAFE': 409,
  'UNDO.NOT_UNDOABLE': 409,
  'PROJECTION.REBUILD_RUNNING': 409,
  'REVISION.MISMATCH': 412,
  'REVISION.CONFLICT': 409,
  'IDEMPOTENCY.KEY_REUSED': 422,
  'IDEMPOTENCY.IN_PROGRESS': 409,
  'REQUEST.TOO_LARGE': 413,
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 415,
  /** The request line and headers exceed the server's limit (16 KiB); answered before the app sees the request. */
  'REQUEST.HEADERS_TOO_LARGE': 431,
  /** The client did not finish sending its request in time; answered before the app sees it. */
  'REQUEST.TIMEOUT': 408,
  RATE_LIMITED: 429,
  'ROUTE.NOT_FOUND': 404,
  'SERVICE.UNAVAILABLE': 503,
  /** A read named a revision (`Min-Revision`) the read models did not reach in time; retry after `Retry-After`. */
  'READ_MODEL.BEHIND': 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `body.title`. */
  readonly field?: string;
  readonly message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    this.status = errorStatus[code];
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
