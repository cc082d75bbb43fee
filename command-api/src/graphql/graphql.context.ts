import type { BoardViewDto, CommentDto, TaskDto } from '@primetrade/domain';
import { getBoardView, listCommentsOfTasks } from '@primetrade/read-model';
import DataLoader from 'dataloader';
import type { SearchIndex } from '@primetrade/read-model';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { requireBoardMember } from '../boards/boardAccess.js';
import { boardNotFound, boardViewOf, isMemberIn } from '../boards/stateViews.js';
import { userNames } from '../boards/users.queries.js';
import type { MinRevisionScope } from '../http/minRevision.js';
import type { ReadGate } from '../http/readGate.js';
import type { AppContext, AuthUser } from '../http/state.js';

/** What the resolvers read and command with: the REST board routes' dependencies and the search port. */
export interface GraphQLDeps extends BoardRouteDeps {
  readonly search: SearchIndex;
}

/** What every resolver gets: the caller, the request, and this request's loaders (a type: graphql-http wants a record). */
export type GraphQLContext = {
  readonly user: AuthUser;
  readonly koa: AppContext;
  readonly deps: GraphQLDeps;
  readonly loaders: Loaders;
  /** `Min-Revision` (docs/consistency.md) for the boards a root field reads, as the REST route of the same read. */
  readonly gate: (scope: MinRevisionScope, params: Readonly<Record<string, unknown>>) => Promise<void>;
};

export interface Loaders {
  /** The REST routes' membership check (boards/boardAccess.ts), once per board and request. */
  readonly access: DataLoader<string, true>;
  /** The whole board at one revision (one statement, as `GET /boards/:id`); after `access`. */
  readonly boardView: DataLoader<string, BoardViewDto>;
  /** Display names by user id: one statement for every id a request asks about. */
  readonly userName: DataLoader<string, string | null>;
  /** Comments by task id: one statement for every task a request asks about. */
  readonly comments: DataLoader<string, readonly CommentDto[]>;
}

/** The tasks of a board view by column, computed once per view. */
const tasksByColumn = new WeakMap<BoardViewDto, ReadonlyMap<string, readonly TaskDto[]>>();

export function columnTasks(view: BoardViewDto, columnId: string): readonly TaskDto[] {
  let byColumn = tasksByColumn.get(view);
  if (byColumn === undefined) {
    const grouped = new Map<string, TaskDto[]>();
    for (const task of view.tasks) {
      const list = grouped.get(task.columnId) ?? [];
      list.push(task);
      grouped.set(task.columnId, list);
    }
    byColumn = grouped;
    tasksByColumn.set(view, byColumn);
  }
  return byColumn.get(columnId) ?? [];
}

/** Settles each key on its own: one board the caller cannot see fails only its own fields. */
const each =
  <K, V>(load: (key: K) => Promise<V>) =>
  async (keys: readonly K[]): Promise<(V | Error)[]> =>
    Promise.all(
      keys.map((key) =>
        load(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      ),
    );

/** New loaders for one request: nothing is cached across requests or callers. */
export function createLoaders(deps: BoardRouteDeps, user: AuthUser): Loaders {
  const access = new DataLoader<string, true>(
    each(async (boardId) => {
      await requireBoardMember(deps, boardId, user.id);
      return true as const;
    }),
  );
  const boardView = new DataLoader<string, BoardViewDto>(
    each(async (boardId) => {
      await access.load(boardId);
      const view = await getBoardView(deps.sql, boardId);
      if (view !== null) return view;
      // Not projected yet (just created): the store-folded state, as the REST board read does.
      const state = await deps.commands.load(boardId);
      if (!isMemberIn(state, user.id)) throw boardNotFound();
      return boardViewOf(deps.sql, state);
    }),
  );
  const userName = new DataLoader<string, string | null>(async (ids) => {
    const names = await userNames(deps.sql, ids);
    return ids.map((id) => names.get(id) ?? null);
  });
  const comments = new DataLoader<string, readonly CommentDto[]>(async (taskIds) => {
    const rows = await listCommentsOfTasks(deps.sql, taskIds);
    const byTask = new Map<string, CommentDto[]>();
    for (const row of rows) {
      const list = byTask.get(row.taskId);
      if (list) list.push(row);
      else byTask.set(row.taskId, [row]);
    }
    return taskIds.map((taskId) => byTask.get(taskId) ?? []);
  });
  return { access, boardView, userName, comments };
}

export function createContext(deps: GraphQLDeps, koa: AppContext, user: AuthUser, readGate?: ReadGate): GraphQLContext {
  return {
    user,
    koa,
    deps,
    loaders: createLoaders(deps, user),
    // Only the wait: the fields then resolve on the primary (no read scope, docs/adr/0029-read-replicas.md),
    // which has whatever a replica would; GraphQL reads do not use the replicas yet.
    gate: async (scope, params) => readGate?.(koa, scope, params, async () => undefined, { replica: false }),
  };
}
