import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import { createBoardBody, defaultColumns, updateBoardBody } from '../boards/boards.schemas.js';
import { taskDtoOf } from '../boards/stateViews.js';
import { parseOrThrow } from '../http/route.js';
import { createTaskBody, moveTaskBody, updateTaskBody } from '../tasks/tasks.schemas.js';
import type { GraphQLContext } from './graphql.context.js';
import {
  boardArgs,
  boardCommand,
  boardIdOf,
  clean,
  mutation,
  payload,
  taskArgs,
  taskCommand,
  taskIdOf,
} from './graphql.commands.js';
import { boardType, taskType } from './graphql.types.js';
import { boardPartMutations, deletedPayload } from './graphql.boardParts.js';

const boardPayload = payload('BoardPayload', 'board', boardType);
const taskPayload = payload('TaskPayload', 'task', taskType);

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

const taskAction = (type: 'CompleteTask' | 'ReopenTask' | 'ArchiveTask' | 'RestoreTask') =>
  mutation(taskPayload, taskArgs, async (args, context, run) => {
    const taskId = taskIdOf(args);
    const result = await taskCommand(context, taskId, run, (metadata) => ({ type, data: { taskId }, metadata }));
    return { revision: result.revision, task: taskDtoOf(result.state, taskId) };
  });

/**
 * Mutations map one to one onto the commands of the REST routes, with the same body schemas
 * (validation) and the same command handler (graphql.commands.ts, docs/adr/0028-graphql-endpoint.md).
 */
export const mutationType = new GraphQLObjectType<unknown, GraphQLContext>({
  name: 'Mutation',
  fields: {
    ...boardPartMutations,
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
  },
});
