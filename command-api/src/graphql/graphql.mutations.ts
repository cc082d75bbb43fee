import type { BoardCommand, CommandMetadata } from '@primetrade/domain';
import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  responsePathAsArray,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLResolveInfo,
  type GraphQLOutputType,
} from 'graphql';
import { z } from 'zod';
import { createBoardBody, defaultColumns, updateBoardBody } from '../boards/boards.schemas.js';
import { id } from '../boards/common.schemas.js';
import { boardDtoOf, commentDtoOf, taskDtoOf } from '../boards/stateViews.js';
import { requestIds } from '../commands/commandHttp.js';
import { parseOrThrow } from '../http/route.js';
import { asTaskNotFound, boardOfTask } from '../tasks/tasks.lookup.js';
import { commentBodySchema, createTaskBody, moveTaskBody, updateTaskBody } from '../tasks/tasks.schemas.js';
import type { GraphQLContext } from './graphql.context.js';
import { boardType, commentType, taskType } from './graphql.types.js';

/**
 * Mutations map one to one onto the commands of the REST routes, with the same body schemas
 * (validation), the same command handler (If-Match as `expectedRevision`: REVISION.MISMATCH) and
 * the same derived ids under an `Idempotency-Key` header (docs/adr/0028-graphql-endpoint.md).
 */
const revisionArg: GraphQLFieldConfigArgumentMap = {
  expectedRevision: {
    type: GraphQLInt,
    description: 'As `If-Match`: refused with REVISION.MISMATCH when the board moved on.',
  },
};
const expectedRevision = z.number().int().min(-1).optional();

const payload = (name: string, field: string, type: GraphQLOutputType) =>
  new GraphQLObjectType({
    name,
    fields: { revision: { type: new GraphQLNonNull(GraphQLInt) }, [field]: { type: new GraphQLNonNull(type) } },
  });
const boardPayload = payload('BoardPayload', 'board', boardType);
const taskPayload = payload('TaskPayload', 'task', taskType);
const commentPayload = payload('CommentPayload', 'comment', commentType);
const deletedPayload = new GraphQLObjectType({
  name: 'DeletedPayload',
  fields: { revision: { type: new GraphQLNonNull(GraphQLInt) } },
});

const strings = new GraphQLList(new GraphQLNonNull(GraphQLString));
const ids = new GraphQLList(new GraphQLNonNull(GraphQLID));
const input = (name: string, fields: GraphQLInputFieldConfigMap) => new GraphQLInputObjectType({ name, fields });
const taskFields = {
  title: { type: GraphQLString },
  description: { type: GraphQLString },
  priority: { type: GraphQLString },
  dueDate: { type: GraphQLString },
  assigneeIds: { type: ids },
  labels: { type: strings },
};
const newColumn = input('NewColumnInput', {
  name: { type: new GraphQLNonNull(GraphQLString) },
  isDone: { type: GraphQLBoolean },
  wipLimit: { type: GraphQLInt },
});
const inputs = {
  createBoard: input('CreateBoardInput', {
    name: { type: GraphQLString },
    description: { type: GraphQLString },
    columns: { type: new GraphQLList(new GraphQLNonNull(newColumn)) },
  }),
  updateBoard: input('UpdateBoardInput', { name: { type: GraphQLString }, description: { type: GraphQLString } }),
  createTask: input('CreateTaskInput', {
    ...taskFields,
    columnId: { type: GraphQLID },
    beforeTaskId: { type: GraphQLID },
    afterTaskId: { type: GraphQLID },
  }),
  updateTask: input('UpdateTaskInput', taskFields),
  moveTask: input('MoveTaskInput', {
    columnId: { type: GraphQLID },
    beforeTaskId: { type: GraphQLID },
    afterTaskId: { type: GraphQLID },
  }),
};

interface Run {
  readonly metadata: CommandMetadata;
  /** Ids for what this mutation creates: derived from the Idempotency-Key and the field's response path. */
  readonly newIds: () => string;
  readonly options: { expectedRevision: number | undefined; correlationId: string; causationId: null };
}

function runOf(context: GraphQLContext, args: Record<string, unknown>, info: GraphQLResolveInfo): Run {
  const scope = `${context.koa.path}#${responsePathAsArray(info.path).join('.')}`;
  return {
    metadata: { now: context.deps.clock().toISOString(), actorId: context.user.id },
    newIds: requestIds(context.koa, context.deps.newId, scope),
    options: {
      expectedRevision: parseOrThrow(expectedRevision, args['expectedRevision'] ?? undefined, 'args.expectedRevision'),
      correlationId: context.koa.state.requestId,
      causationId: null,
    },
  };
}

const boardIdOf = (args: Record<string, unknown>) => parseOrThrow(id, args['boardId'], 'args.boardId');
const taskIdOf = (args: Record<string, unknown>) => parseOrThrow(id, args['taskId'], 'args.taskId');

type Resolver = (args: Record<string, unknown>, context: GraphQLContext, run: Run) => Promise<unknown>;

function mutation(
  type: GraphQLOutputType,
  args: GraphQLFieldConfigArgumentMap,
  resolve: Resolver,
): GraphQLFieldConfig<unknown, GraphQLContext> {
  return {
    type: new GraphQLNonNull(type),
    args: { ...args, ...revisionArg },
    resolve: (_root, values: Record<string, unknown>, context, info) =>
      resolve(values, context, runOf(context, values, info)),
  };
}

async function boardCommand(
  context: GraphQLContext,
  boardId: string,
  run: Run,
  commands: BoardCommand | BoardCommand[],
) {
  const result = await context.deps.commands.handle(boardId, commands, run.options);
  return { revision: result.revision, board: boardDtoOf(result.state) };
}

/** A command on a task's board; a board the caller cannot see means the task does not exist (as REST). */
async function taskCommand(
  context: GraphQLContext,
  taskId: string,
  run: Run,
  build: (metadata: CommandMetadata) => BoardCommand,
) {
  const boardId = await boardOfTask(context.deps, taskId, context.user.id);
  return asTaskNotFound(context.deps.commands.handle(boardId, build(run.metadata), run.options));
}

const clean = (value: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).filter(([, item]) => item !== undefined));

const boardArgs = { boardId: { type: new GraphQLNonNull(GraphQLID) } };
const taskArgs = { taskId: { type: new GraphQLNonNull(GraphQLID) } };
const taskAction = (type: 'CompleteTask' | 'ReopenTask' | 'ArchiveTask' | 'RestoreTask') =>
  mutation(taskPayload, taskArgs, async (args, context, run) => {
    const taskId = taskIdOf(args);
    const result = await taskCommand(context, taskId, run, (metadata) => ({ type, data: { taskId }, metadata }));
    return { revision: result.revision, task: taskDtoOf(result.state, taskId) };
  });

export const mutationType = new GraphQLObjectType<unknown, GraphQLContext>({
  name: 'Mutation',
  fields: {
    createBoard: mutation(
      boardPayload,
      { input: { type: new GraphQLNonNull(inputs.createBoard) } },
      async (args, context, run) => {
        const body = parseOrThrow(createBoardBody, clean(args['input']), 'input');
        const boardId = run.newIds();
        const columns = (body.columns ?? defaultColumns).map((column) => ({ ...column, columnId: run.newIds() }));
        return boardCommand(context, boardId, run, {
          type: 'CreateBoard',
          data: { boardId, name: body.name, description: body.description, columns },
          metadata: run.metadata,
        });
      },
    ),
    updateBoard: mutation(
      boardPayload,
      { ...boardArgs, input: { type: new GraphQLNonNull(inputs.updateBoard) } },
      async (args, context, run) => {
        const body = parseOrThrow(updateBoardBody, clean(args['input']), 'input');
        const { metadata } = run;
        return boardCommand(context, boardIdOf(args), run, [
          ...(body.name !== undefined ? [{ type: 'RenameBoard' as const, data: { name: body.name }, metadata }] : []),
          ...(body.description !== undefined
            ? [{ type: 'ChangeBoardDescription' as const, data: { description: body.description }, metadata }]
            : []),
        ]);
      },
    ),
    archiveBoard: mutation(boardPayload, boardArgs, (args, context, run) =>
      boardCommand(context, boardIdOf(args), run, { type: 'ArchiveBoard', data: {}, metadata: run.metadata }),
    ),
    restoreBoard: mutation(boardPayload, boardArgs, (args, context, run) =>
      boardCommand(context, boardIdOf(args), run, { type: 'RestoreBoard', data: {}, metadata: run.metadata }),
    ),
    createTask: mutation(
      taskPayload,
      { ...boardArgs, input: { type: new GraphQLNonNull(inputs.createTask) } },
      async (args, context, run) => {
        const { beforeTaskId, afterTaskId, ...fields } = parseOrThrow(createTaskBody, clean(args['input']), 'input');
        const taskId = run.newIds();
        const result = await context.deps.commands.handle(
          boardIdOf(args),
          {
            type: 'CreateTask',
            data: { ...fields, taskId, beforeId: beforeTaskId, afterId: afterTaskId },
            metadata: run.metadata,
          },
          run.options,
        );
        return { revision: result.revision, task: taskDtoOf(result.state, taskId) };
      },
    ),
    updateTask: mutation(
      taskPayload,
      { ...taskArgs, input: { type: new GraphQLNonNull(inputs.updateTask) } },
      async (args, context, run) => {
        const taskId = taskIdOf(args);
        const body = parseOrThrow(updateTaskBody, clean(args['input']), 'input');
        const result = await taskCommand(context, taskId, run, (metadata) => ({
          type: 'UpdateTask',
          data: { ...body, taskId },
          metadata,
        }));
        return { revision: result.revision, task: taskDtoOf(result.state, taskId) };
      },
    ),
    moveTask: mutation(
      taskPayload,
      { ...taskArgs, input: { type: new GraphQLNonNull(inputs.moveTask) } },
      async (args, context, run) => {
        const taskId = taskIdOf(args);
        const body = parseOrThrow(moveTaskBody, clean(args['input']), 'input');
        const result = await taskCommand(context, taskId, run, (metadata) => ({
          type: 'MoveTask',
          data: { taskId, columnId: body.columnId, beforeId: body.beforeTaskId, afterId: body.afterTaskId },
          metadata,
        }));
        return { revision: result.revision, task: taskDtoOf(result.state, taskId) };
      },
    ),
    completeTask: taskAction('CompleteTask'),
    reopenTask: taskAction('ReopenTask'),
    archiveTask: taskAction('ArchiveTask'),
    restoreTask: taskAction('RestoreTask'),
    deleteTask: mutation(deletedPayload, taskArgs, async (args, context, run) => {
      const taskId = taskIdOf(args);
      const result = await taskCommand(context, taskId, run, (metadata) => ({
        type: 'DeleteTask',
        data: { taskId },
        metadata,
      }));
      return { revision: result.revision };
    }),
    addComment: mutation(
      commentPayload,
      { ...taskArgs, body: { type: new GraphQLNonNull(GraphQLString) } },
      async (args, context, run) => {
        const taskId = taskIdOf(args);
        const { body } = parseOrThrow(commentBodySchema, { body: args['body'] }, 'args');
        const commentId = run.newIds();
        const result = await taskCommand(context, taskId, run, (metadata) => ({
          type: 'AddComment',
          data: { taskId, commentId, body },
          metadata,
        }));
        return { revision: result.revision, comment: commentDtoOf(result.state, taskId, commentId) };
      },
    ),
  },
});
