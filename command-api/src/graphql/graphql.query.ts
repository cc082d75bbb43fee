import { DomainError, type TaskDto } from '@primetrade/domain';
import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import { findUserById } from '../auth/users.repository.js';
import { id } from '../boards/common.schemas.js';
import { parseOrThrow } from '../http/route.js';
import { findTask } from '../tasks/tasks.lookup.js';
import type { GraphQLContext } from './graphql.context.js';
import { searchField } from './graphql.search.js';
import {
  boardPageArgs,
  boardPageType,
  boardType,
  myBoards,
  searchTaskPage,
  taskFilterArgs,
  taskPageType,
  taskType,
} from './graphql.types.js';

interface MeSource {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: string;
}

const meType = new GraphQLObjectType<MeSource, GraphQLContext>({
  name: 'Me',
  description: 'The caller: their account, their tasks across their boards, their boards.',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: { type: new GraphQLNonNull(GraphQLString) },
    email: { type: new GraphQLNonNull(GraphQLString) },
    role: { type: new GraphQLNonNull(GraphQLString), description: 'admin | user' },
    tasks: {
      type: new GraphQLNonNull(taskPageType),
      description: 'Tasks across all my boards, as `GET /tasks` (most recently updated first).',
      args: taskFilterArgs,
      resolve: (_me, args: Record<string, unknown>, context) =>
        searchTaskPage(context, args, { defaults: { sort: 'updatedAt', order: 'desc' } }),
    },
    boards: {
      type: new GraphQLNonNull(boardPageType),
      args: boardPageArgs,
      resolve: (_me, args: Record<string, unknown>, context) => myBoards(context, args),
    },
  },
});

const idArg = { id: { type: new GraphQLNonNull(GraphQLID) } };
const validId = (value: unknown): string => parseOrThrow(id, value, 'args.id');

/**
 * The read side. Each root field honours `Min-Revision` as the REST route of the same read does
 * (http/readGate.ts): `board` and `task` for their board, `me` and `boards` for the boards a vector names.
 */
export const queryType = new GraphQLObjectType<unknown, GraphQLContext>({
  name: 'Query',
  fields: {
    me: {
      type: new GraphQLNonNull(meType),
      resolve: async (_root, _args, context): Promise<MeSource> => {
        await context.gate('boards', {});
        const user = await findUserById(context.deps.sql, context.user.id);
        if (user === null) throw new DomainError('AUTH.UNAUTHENTICATED', 'Authentication required');
        return { id: user.id, name: user.name, email: user.email, role: user.role };
      },
    },
    boards: {
      type: new GraphQLNonNull(boardPageType),
      description: 'My boards, most recently changed first (as `GET /boards`).',
      args: boardPageArgs,
      resolve: async (_root, args: Record<string, unknown>, context) => {
        await context.gate('boards', {});
        return myBoards(context, args);
      },
    },
    board: {
      type: boardType,
      description: 'One board; null (with BOARD.NOT_FOUND) when there is none for me.',
      args: idArg,
      resolve: async (_root, args: { id: string }, context) => {
        const boardId = validId(args.id);
        await context.gate('board', { boardId });
        return (await context.loaders.boardView.load(boardId)).board;
      },
    },
    search: searchField,
    task: {
      type: taskType,
      description: 'One task; null (with TASK.NOT_FOUND) when there is none for me.',
      args: idArg,
      resolve: async (_root, args: { id: string }, context): Promise<TaskDto> => {
        const taskId = validId(args.id);
        await context.gate('task', { taskId });
        return findTask(context.deps, taskId, context.user.id);
      },
    },
  },
});
