import type {
  BoardFlowDto,
  BoardStatsDto,
  BoardSummaryDto,
  BoardViewDto,
  BoardDto,
  ColumnTasksPageDto,
  CommentDto,
  Envelope,
  ErrorCode,
  HistoryEntryDto,
  ErrorDetail,
  MemberDto,
  NotificationDto,
  MyStatsDto,
  Page,
  Priority,
  Role,
  TaskDto,
  UserDto,
} from '@primetrade/domain';
import { boardOfWrite, learnTasks, minRevisionFor, WriteTokens } from './consistency.js';
import { ApiError } from './problems.js';
import { searchParams, type SearchRequest, type SearchResultDto } from './search.js';

/** What `send` needs from the session: the current access token and a way to renew it. */
export interface TokenSource {
  accessToken(): string | null;
  /** Renews the tokens; false when the session is over. */
  refresh(): Promise<boolean>;
}

/** The revisions of my writes, sent back as `Min-Revision` on the reads that follow (docs/consistency.md). */
export const writeTokens = new WriteTokens();

let tokens: TokenSource | null = null;
export const useTokens = (source: TokenSource | null): void => {
  tokens = source;
  // Another session must not wait for this one's writes.
  if (source === null) writeTokens.clear();
};

/** A read that found the read models behind my write is retried this many times, after `Retry-After`. */
const readModelRetries = 2;

export interface Sent<T> {
  readonly data: T;
  /** The board revision from `ETag: W/"<revision>"`, when the answer carries one. */
  readonly revision: number | null;
}

/** One line of the audit history (GET /boards/:id/history, /tasks/:id/history). */
export type HistoryEntry = HistoryEntryDto;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const prefix = '/api/v1';
const etagPattern = /^(?:W\/)?"?(-?\d+)"?$/;

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: ErrorCode; detail?: string; errors?: ErrorDetail[] };
    if (typeof body.code === 'string') {
      return new ApiError(response.status, body.code, body.detail ?? '', body.errors ?? []);
    }
  } catch {
    // not JSON: a proxy or the network answered
  }
  return new ApiError(
    response.status,
    response.status >= 500 ? 'SERVICE.UNAVAILABLE' : 'UNEXPECTED',
    response.statusText,
  );
}

async function request(method: Method, path: string, body: unknown, auth: boolean): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const minRevision = method === 'GET' && auth ? minRevisionFor(writeTokens, path) : null;
  if (minRevision !== null) headers['Min-Revision'] = minRevision;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = auth ? tokens?.accessToken() : null;
  if (token) headers['Authorization'] = `Bearer ${token}`;
  try {
    return await fetch(`${prefix}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The request did not reach the server');
  }
}

const expired = (error: ApiError) => error.status === 401 && error.code !== 'AUTH.INVALID_CREDENTIALS';

/**
 * The one way to the HTTP API: JSON in and out, problem+json into `ApiError`, and one silent token
 * refresh and retry when an authenticated call answers 401.
 */
export async function send<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: { auth?: boolean } = {},
): Promise<Sent<T>> {
  const auth = options.auth ?? true;
  let response = await request(method, path, body, auth);
  if (!response.ok && auth && response.status === 401 && tokens !== null) {
    const problem = await problemOf(response);
    if (!expired(problem) || !(await tokens.refresh())) throw problem;
    response = await request(method, path, body, auth);
  }
  for (let attempt = 0; attempt < readModelRetries && (await readModelBehind(method, response)); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs(response)));
    response = await request(method, path, body, auth);
  }
  if (!response.ok) throw await problemOf(response);
  const etag = etagPattern.exec(response.headers.get('ETag') ?? '');
  const revision = etag?.[1] === undefined ? null : Number(etag[1]);
  const text = await response.text();
  const data = (text === '' ? null : JSON.parse(text)) as T;
  if (auth) remember(method, path, data, revision);
  return { data, revision };
}

/** A read refused only because the read models have not caught up with my write yet. */
async function readModelBehind(method: Method, response: Response): Promise<boolean> {
  if (method !== 'GET' || response.status !== 503) return false;
  return (await problemOf(response.clone())).code === 'READ_MODEL.BEHIND';
}

const retryAfterMs = (response: Response): number => {
  const header = response.headers.get('Retry-After');
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 5) * 1000 : 1000;
};

/** Learns task → board from answers, and records the board revision of each of my writes. */
function remember(method: Method, path: string, data: unknown, etagRevision: number | null): void {
  learnTasks(writeTokens, data);
  if (method === 'GET') return;
  const bodyRevision = (data as { revision?: unknown } | null)?.revision;
  const revision = etagRevision ?? (typeof bodyRevision === 'number' ? bodyRevision : null);
  const boardId = revision === null ? null : boardOfWrite(writeTokens, path, data);
  if (boardId !== null && revision !== null) writeTokens.recordWrite(boardId, revision);
}

const query = (params: Record<string, string | number | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};
const id = encodeURIComponent;

export interface AuthResult {
  readonly user: UserDto;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn?: number;
}

export interface TaskFields {
  title?: string;
  description?: string;
  priority?: Priority;
  dueDate?: string | null;
  assigneeIds?: readonly string[];
  labels?: readonly string[];
}
export interface Anchor {
  beforeTaskId?: string;
  afterTaskId?: string;
}
export interface ColumnAnchor {
  beforeColumnId?: string;
  afterColumnId?: string;
}

/** Every endpoint the client calls, typed by the domain's DTOs. */
export const api = {
  register: (body: { email: string; password: string; name: string }) =>
    send<AuthResult>('POST', '/auth/register', body, { auth: false }),
  login: (body: { email: string; password: string }) => send<AuthResult>('POST', '/auth/login', body, { auth: false }),
  refresh: (refreshToken: string) => send<AuthResult>('POST', '/auth/refresh', { refreshToken }, { auth: false }),
  logout: (refreshToken: string) => send<null>('POST', '/auth/logout', { refreshToken }, { auth: false }),
  me: () => send<UserDto>('GET', '/me'),

  listBoards: (cursor: string | null, limit = 20) =>
    send<Page<BoardSummaryDto>>('GET', `/boards${query({ cursor, limit })}`),
  createBoard: (body: { name: string; description?: string }) => send<BoardViewDto>('POST', '/boards', body),
  /** The whole board, or with `tasksPerColumn` each column's first tasks (docs/adr/0023-big-boards-column-pages.md). */
  getBoard: (boardId: string, tasksPerColumn?: number) =>
    send<BoardViewDto>('GET', `/boards/${id(boardId)}${query({ tasksPerColumn })}`),
  /** The next page of a column of a paged board view. */
  columnTasks: (boardId: string, columnId: string, cursor: string | undefined, limit: number) =>
    send<ColumnTasksPageDto>('GET', `/boards/${id(boardId)}/columns/${id(columnId)}/tasks${query({ cursor, limit })}`),
  getTask: (taskId: string) => send<TaskDto>('GET', `/tasks/${id(taskId)}`),
  updateBoard: (boardId: string, body: { name?: string; description?: string }) =>
    send<BoardDto>('PATCH', `/boards/${id(boardId)}`, body),
  archiveBoard: (boardId: string) => send<BoardDto>('DELETE', `/boards/${id(boardId)}`),
  /** Undoes the change `revision` belongs to; 409 `UNDO.UNSAFE` says why when it cannot. */
  undo: (boardId: string, revision: number) =>
    send<{ undone: { first: number; last: number }; events: Envelope[]; revision: number }>(
      'POST',
      `/boards/${id(boardId)}/undo`,
      { revision },
    ),
  restoreBoard: (boardId: string) => send<BoardDto>('POST', `/boards/${id(boardId)}/restore`),
  taskHistory: (taskId: string, before?: number, limit = 20) =>
    send<{ entries: HistoryEntry[]; nextBefore: number | null; revision: number }>(
      'GET',
      `/tasks/${id(taskId)}/history${query({ before, limit })}`,
    ),
  boardEvents: (boardId: string, after: number, limit = 500) =>
    send<{ events: Envelope[]; revision: number }>('GET', `/boards/${id(boardId)}/events${query({ after, limit })}`),

  addMember: (boardId: string, body: { email: string; role: Role }) =>
    send<MemberDto>('POST', `/boards/${id(boardId)}/members`, body),
  changeMemberRole: (boardId: string, userId: string, role: Role) =>
    send<MemberDto>('PATCH', `/boards/${id(boardId)}/members/${id(userId)}`, { role }),
  removeMember: (boardId: string, userId: string) =>
    send<null>('DELETE', `/boards/${id(boardId)}/members/${id(userId)}`),

  addColumn: (boardId: string, body: { name: string; isDone?: boolean; wipLimit?: number | null } & ColumnAnchor) =>
    send<unknown>('POST', `/boards/${id(boardId)}/columns`, body),
  updateColumn: (boardId: string, columnId: string, body: { name?: string; wipLimit?: number | null } & ColumnAnchor) =>
    send<unknown>('PATCH', `/boards/${id(boardId)}/columns/${id(columnId)}`, body),
  removeColumn: (boardId: string, columnId: string) =>
    send<unknown>('DELETE', `/boards/${id(boardId)}/columns/${id(columnId)}`),

  createTask: (boardId: string, body: TaskFields & Anchor & { title: string; columnId?: string }) =>
    send<TaskDto>('POST', `/boards/${id(boardId)}/tasks`, body),
  updateTask: (taskId: string, body: TaskFields) => send<TaskDto>('PATCH', `/tasks/${id(taskId)}`, body),
  deleteTask: (taskId: string) => send<unknown>('DELETE', `/tasks/${id(taskId)}`),
  moveTask: (taskId: string, body: { columnId: string } & Anchor) =>
    send<TaskDto>('POST', `/tasks/${id(taskId)}/move`, body),
  taskAction: (taskId: string, action: 'complete' | 'reopen' | 'archive' | 'restore') =>
    send<TaskDto>('POST', `/tasks/${id(taskId)}/${action}`),

  listComments: (taskId: string) =>
    send<Page<CommentDto> | CommentDto[]>('GET', `/tasks/${id(taskId)}/comments${query({ limit: 100 })}`),
  addComment: (taskId: string, body: string) => send<CommentDto>('POST', `/tasks/${id(taskId)}/comments`, { body }),
  editComment: (taskId: string, commentId: string, body: string) =>
    send<CommentDto>('PATCH', `/tasks/${id(taskId)}/comments/${id(commentId)}`, { body }),
  deleteComment: (taskId: string, commentId: string) =>
    send<unknown>('DELETE', `/tasks/${id(taskId)}/comments/${id(commentId)}`),

  listNotifications: (options: { cursor?: string | null; unread?: boolean; limit?: number } = {}) =>
    send<NotificationPage>(
      'GET',
      `/notifications${query({ cursor: options.cursor, unread: options.unread ? 'true' : undefined, limit: options.limit })}`,
    ),
  markNotificationRead: (notificationId: string) => send<null>('POST', `/notifications/${id(notificationId)}/read`),
  markAllNotificationsRead: () => send<{ marked: number; unreadCount: number }>('POST', '/notifications/read-all'),
  followTask: (taskId: string) => send<{ taskId: string; following: boolean }>('POST', `/tasks/${id(taskId)}/follow`),
  unfollowTask: (taskId: string) =>
    send<{ taskId: string; following: boolean }>('DELETE', `/tasks/${id(taskId)}/follow`),
  boardStats: (boardId: string) => send<BoardStatsDto>('GET', `/boards/${id(boardId)}/stats`),
  boardFlow: (boardId: string, range: { from?: string; to?: string } = {}) =>
    send<BoardFlowDto>('GET', `/boards/${id(boardId)}/stats/flow${query(range)}`),
  myStats: () => send<MyStatsDto>('GET', '/me/stats'),
  /** Every board of mine (docs/api.md "Search"); 503 SERVICE.UNAVAILABLE while the search engine is down. */
  search: (request: SearchRequest, cursor: string | null, limit = 20) => {
    const params = searchParams(request);
    if (cursor !== null) params.set('cursor', cursor);
    params.set('limit', String(limit));
    return send<SearchResultDto>('GET', `/search?${params.toString()}`);
  },
};

export interface NotificationPage {
  readonly items: NotificationDto[];
  readonly nextCursor: string | null;
  readonly unreadCount: number;
}

export type Api = typeof api;
