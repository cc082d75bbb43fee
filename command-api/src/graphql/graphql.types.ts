import type { BoardDto, ColumnDto, CommentDto, HistoryEntryDto, MemberDto, Page, TaskDto } from '@primetrade/domain';
import { getBoardStats, listBoardsForUser, searchTasks } from '@primetrade/read-model';
import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLOutputType,
} from 'graphql';
import { listBoardsQuery } from '../boards/boards.schemas.js';
import { boardNotFound } from '../boards/stateViews.js';
import { readHistoryPage } from '../history/history.reads.js';
import { historyQuery } from '../history/history.schemas.js';
import { parseOrThrow } from '../http/route.js';
import { taskSearchQuery } from '../tasks/tasks.schemas.js';
import { columnTasks, type GraphQLContext } from './graphql.context.js';

const nonNull = <T extends GraphQLOutputType>(type: T) => new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType>(type: T) => nonNull(new GraphQLList(nonNull(type)));
const string = { type: nonNull(GraphQLString) };
const maybeString = { type: GraphQLString };

/** Statistics and history changes are documented JSON shapes of their own (docs/api.md "Statistics"). */
export const jsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'A JSON value, as the REST endpoint of the same read answers it (docs/api.md).',
  serialize: (value) => value,
});

export interface UserSource {
  readonly id: string;
}
export type ColumnSource = ColumnDto & { readonly boardId: string };

const userOf = (id: string): UserSource => ({ id });

export const userType = new GraphQLObjectType<UserSource, GraphQLContext>({
  name: 'User',
  description: 'A person, by id and display name (e-mail only on `me`).',
  fields: {
    id: { type: nonNull(GraphQLID) },
    name: {
      type: nonNull(GraphQLString),
      resolve: async (user, _args, context) => (await context.loaders.userName.load(user.id)) ?? '',
    },
  },
});

export const commentType = new GraphQLObjectType<CommentDto, GraphQLContext>({
  name: 'Comment',
  fields: {
    id: { type: nonNull(GraphQLID) },
    taskId: { type: nonNull(GraphQLID) },
    authorId: { type: nonNull(GraphQLID) },
    author: { type: nonNull(userType), resolve: (comment) => userOf(comment.authorId) },
    body: string,
    createdAt: string,
    editedAt: maybeString,
  },
});

export const taskType: GraphQLObjectType<TaskDto, GraphQLContext> = new GraphQLObjectType<TaskDto, GraphQLContext>({
  name: 'Task',
  fields: () => ({
    id: { type: nonNull(GraphQLID) },
    boardId: { type: nonNull(GraphQLID) },
    board: {
      type: nonNull(boardType),
      resolve: async (task, _args, context) => (await context.loaders.boardView.load(task.boardId)).board,
    },
    columnId: { type: nonNull(GraphQLID) },
    position: string,
    title: string,
    description: string,
    priority: { ...string, description: 'low | medium | high | urgent' },
    dueDate: maybeString,
    assigneeIds: { type: listOf(GraphQLID) },
    assignees: { type: listOf(userType), resolve: (task) => task.assigneeIds.map(userOf) },
    labels: { type: listOf(GraphQLString) },
    status: { ...string, description: 'open | completed' },
    archived: { type: nonNull(GraphQLBoolean) },
    createdBy: { type: nonNull(userType), resolve: (task) => userOf(task.createdBy) },
    createdAt: string,
    updatedAt: string,
    completedAt: maybeString,
    comments: {
      type: listOf(commentType),
      description: 'Oldest first. Batched: one statement for every task of the request.',
      resolve: (task, _args, context) => context.loaders.comments.load(task.id),
    },
  }),
});

export const taskPageType = new GraphQLObjectType<Page<TaskDto>, GraphQLContext>({
  name: 'TaskPage',
  fields: { items: { type: listOf(taskType) }, nextCursor: maybeString },
});

/** The REST task filters (`GET /boards/:id/tasks`, `GET /tasks`), validated by the same schema. */
export const taskFilterArgs: GraphQLFieldConfigArgumentMap = {
  columnId: { type: GraphQLID },
  assigneeId: { type: GraphQLString, description: 'A user id, or `me`.' },
  label: { type: GraphQLString },
  priority: { type: GraphQLString },
  status: { type: GraphQLString, description: '`open` or `completed`.' },
  archived: { type: GraphQLBoolean },
  q: { type: GraphQLString, description: 'Full text over title and description.' },
  dueBefore: { type: GraphQLString },
  dueAfter: { type: GraphQLString },
  sort: { type: GraphQLString, description: 'position | createdAt | updatedAt | dueDate | priority | title' },
  order: { type: GraphQLString, description: 'asc | desc' },
  after: { type: GraphQLString, description: 'The previous page’s `nextCursor`.' },
  first: { type: GraphQLInt, description: '1–100, default 50.' },
};

/** A page of tasks with REST's validation, filters and keyset cursor (read-model/src/queries/tasks.queries.ts). */
export function searchTaskPage(
  context: GraphQLContext,
  args: Record<string, unknown>,
  scope: { boardId?: string; defaults: { sort: 'position' | 'updatedAt'; order: 'asc' | 'desc' } },
): Promise<Page<TaskDto>> {
  const { after, first, archived, ...filters } = args;
  const query = parseOrThrow(
    taskSearchQuery(scope.defaults),
    {
      ...filters,
      ...(after != null ? { cursor: after } : {}),
      ...(first != null ? { limit: first } : {}),
      ...(typeof archived === 'boolean' ? { archived: archived ? 'true' : 'false' } : {}),
    },
    'args',
  );
  const viewerId = context.user.id;
  return searchTasks(context.deps.sql, {
    ...query,
    viewerId,
    assigneeId: query.assigneeId === 'me' ? viewerId : query.assigneeId,
    ...(scope.boardId !== undefined ? { boardId: scope.boardId } : {}),
  });
}

export const columnType = new GraphQLObjectType<ColumnSource, GraphQLContext>({
  name: 'Column',
  fields: {
    id: { type: nonNull(GraphQLID) },
    name: string,
    position: string,
    isDone: { type: nonNull(GraphQLBoolean) },
    wipLimit: { type: GraphQLInt },
    tasks: {
      type: listOf(taskType),
      description: 'Every task of the column in order, from the one board read (as `GET /boards/:id`).',
      resolve: async (column, _args, context) =>
        columnTasks(await context.loaders.boardView.load(column.boardId), column.id),
    },
  },
});

export const memberType = new GraphQLObjectType<MemberDto, GraphQLContext>({
  name: 'Member',
  fields: {
    userId: { type: nonNull(GraphQLID) },
    user: { type: nonNull(userType), resolve: (member) => userOf(member.userId) },
    name: string,
    role: { ...string, description: 'owner | editor | viewer' },
    addedAt: string,
  },
});

const historyEntryType = new GraphQLObjectType<HistoryEntryDto, GraphQLContext>({
  name: 'HistoryEntry',
  fields: {
    revision: { type: nonNull(GraphQLInt) },
    occurredAt: string,
    actorId: { type: nonNull(GraphQLID) },
    actor: { type: nonNull(userType), resolve: (entry) => userOf(entry.actorId) },
    type: string,
    taskId: { type: GraphQLID },
    summary: string,
    changes: { type: nonNull(jsonScalar), description: '[{ field, from, to }]' },
  },
});

const historyPageType = new GraphQLObjectType({
  name: 'HistoryPage',
  fields: {
    entries: { type: listOf(historyEntryType) },
    nextBefore: { type: GraphQLInt },
    revision: { type: nonNull(GraphQLInt) },
  },
});

/** Every field that reads more than the board row checks membership first (loaders.access). */
export const boardType: GraphQLObjectType<BoardDto, GraphQLContext> = new GraphQLObjectType<BoardDto, GraphQLContext>({
  name: 'Board',
  fields: () => ({
    id: { type: nonNull(GraphQLID) },
    name: string,
    description: string,
    archived: { type: nonNull(GraphQLBoolean) },
    createdBy: { type: nonNull(userType), resolve: (board) => userOf(board.createdBy) },
    createdAt: string,
    updatedAt: string,
    revision: { type: nonNull(GraphQLInt) },
    myRole: {
      type: GraphQLString,
      resolve: async (board, _args, context) =>
        (await context.loaders.boardView.load(board.id)).members.find((member) => member.userId === context.user.id)
          ?.role ?? null,
    },
    columns: {
      type: listOf(columnType),
      resolve: async (board, _args, context) =>
        (await context.loaders.boardView.load(board.id)).columns.map((column) => ({ ...column, boardId: board.id })),
    },
    members: {
      type: listOf(memberType),
      resolve: async (board, _args, context) => (await context.loaders.boardView.load(board.id)).members,
    },
    tasks: {
      type: nonNull(taskPageType),
      args: taskFilterArgs,
      resolve: async (board, args: Record<string, unknown>, context) => {
        await context.loaders.access.load(board.id);
        return searchTaskPage(context, args, { boardId: board.id, defaults: { sort: 'position', order: 'asc' } });
      },
    },
    statistics: {
      type: nonNull(jsonScalar),
      description: 'As `GET /boards/:id/stats`.',
      resolve: async (board, _args, context) => {
        await context.loaders.access.load(board.id);
        const stats = await getBoardStats(context.deps.sql, board.id, context.deps.clock());
        if (stats === null) throw boardNotFound();
        return stats;
      },
    },
    history: {
      type: nonNull(historyPageType),
      description: 'Newest first, as `GET /boards/:id/history`.',
      args: {
        taskId: { type: GraphQLID },
        actorId: { type: GraphQLID },
        from: { type: GraphQLString },
        to: { type: GraphQLString },
        before: { type: GraphQLInt },
        limit: { type: GraphQLInt, description: '1–500, default 100.' },
      },
      resolve: (board, args: Record<string, unknown>, context) => {
        const present = Object.fromEntries(Object.entries(args).filter(([, value]) => value != null));
        return readHistoryPage(context.deps, board.id, context.user.id, parseOrThrow(historyQuery, present, 'args'));
      },
    },
  }),
});

export const boardPageType = new GraphQLObjectType<Page<BoardDto>, GraphQLContext>({
  name: 'BoardPage',
  fields: { items: { type: listOf(boardType) }, nextCursor: maybeString },
});

export const boardPageArgs: GraphQLFieldConfigArgumentMap = {
  first: { type: GraphQLInt, description: '1–100, default 50.' },
  after: { type: GraphQLString },
  includeArchived: { type: GraphQLBoolean },
};

/** "My boards", most recently changed first (as `GET /boards`): membership is the query itself. */
export function myBoards(context: GraphQLContext, args: Record<string, unknown>): Promise<Page<BoardDto>> {
  const query = parseOrThrow(
    listBoardsQuery,
    {
      ...(args['after'] != null ? { cursor: args['after'] } : {}),
      ...(args['first'] != null ? { limit: args['first'] } : {}),
      ...(typeof args['includeArchived'] === 'boolean'
        ? { includeArchived: args['includeArchived'] ? 'true' : 'false' }
        : {}),
    },
    'args',
  );
  return listBoardsForUser(context.deps.sql, context.user.id, query);
}
