import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
} from 'graphql';
import { addColumnBody, updateColumnBody } from '../boards/columns.schemas.js';
import { addColumnCommand, columnChanges } from '../boards/columns.routes.js';
import { accountToAdd } from '../boards/members.routes.js';
import { addMemberBody, changeRoleBody } from '../boards/members.schemas.js';
import { columnDtoOf, commentDtoOf, memberDtoOf } from '../boards/stateViews.js';
import { parseOrThrow } from '../http/route.js';
import { commentBodySchema } from '../tasks/tasks.schemas.js';
import { id } from '../boards/common.schemas.js';
import {
  boardArgs,
  boardIdOf,
  clean,
  mutation,
  payload,
  taskArgs,
  taskCommand,
  taskIdOf,
  type Run,
} from './graphql.commands.js';
import type { GraphQLContext } from './graphql.context.js';
import { columnType, commentType, memberType } from './graphql.types.js';

export const deletedPayload = new GraphQLObjectType({
  name: 'DeletedPayload',
  fields: { revision: { type: new GraphQLNonNull(GraphQLInt) } },
});
export const commentPayload = payload('CommentPayload', 'comment', commentType);
const columnPayload = payload('ColumnPayload', 'column', columnType);
const memberPayload = payload('MemberPayload', 'member', memberType);

const anchors = { beforeColumnId: { type: GraphQLID }, afterColumnId: { type: GraphQLID } };
const addColumnInput = new GraphQLInputObjectType({
  name: 'AddColumnInput',
  fields: {
    name: { type: GraphQLString },
    isDone: { type: GraphQLBoolean },
    wipLimit: { type: GraphQLInt },
    ...anchors,
  },
});
const updateColumnInput = new GraphQLInputObjectType({
  name: 'UpdateColumnInput',
  fields: { name: { type: GraphQLString }, wipLimit: { type: GraphQLInt }, ...anchors },
});
const columnArgs = { ...boardArgs, columnId: { type: new GraphQLNonNull(GraphQLID) } };
const memberArgs = { ...boardArgs, userId: { type: new GraphQLNonNull(GraphQLID) } };
const commentArgs = { ...taskArgs, commentId: { type: new GraphQLNonNull(GraphQLID) } };
const role = { role: { type: new GraphQLNonNull(GraphQLString), description: 'owner | editor | viewer' } };

const idOf = (args: Record<string, unknown>, name: string) => parseOrThrow(id, args[name], `args.${name}`);

const handle = (
  context: GraphQLContext,
  boardId: string,
  run: Run,
  command: Parameters<GraphQLContext['deps']['commands']['handle']>[1],
) => context.deps.commands.handle(boardId, command, run.options);

/** Columns, members and comments: the commands of columns.routes.ts, members.routes.ts and comments.routes.ts. */
export const boardPartMutations = {
  addColumn: mutation(
    columnPayload,
    { ...boardArgs, input: { type: new GraphQLNonNull(addColumnInput) } },
    async (args, context, run) => {
      const boardId = boardIdOf(args);
      const body = parseOrThrow(addColumnBody, clean(args['input']), 'input');
      const columnId = run.newIds();
      const result = await handle(context, boardId, run, addColumnCommand(columnId, body, run.metadata));
      return { revision: result.revision, column: { ...columnDtoOf(result.state, columnId), boardId } };
    },
  ),
  updateColumn: mutation(
    columnPayload,
    { ...columnArgs, input: { type: new GraphQLNonNull(updateColumnInput) } },
    async (args, context, run) => {
      const [boardId, columnId] = [boardIdOf(args), idOf(args, 'columnId')];
      const body = parseOrThrow(updateColumnBody, clean(args['input']), 'input');
      const result = await handle(context, boardId, run, columnChanges(columnId, body, run.metadata));
      return { revision: result.revision, column: { ...columnDtoOf(result.state, columnId), boardId } };
    },
  ),
  removeColumn: mutation(deletedPayload, columnArgs, async (args, context, run) => {
    const data = { columnId: idOf(args, 'columnId') };
    const result = await handle(context, boardIdOf(args), run, { type: 'RemoveColumn', data, metadata: run.metadata });
    return { revision: result.revision };
  }),
  addMember: mutation(
    memberPayload,
    { ...boardArgs, email: { type: GraphQLString }, userId: { type: GraphQLID }, ...role },
    async (args, context, run) => {
      const boardId = boardIdOf(args);
      const body = parseOrThrow(
        addMemberBody,
        clean({ email: args['email'] ?? undefined, userId: args['userId'] ?? undefined, role: args['role'] }),
        'args',
      );
      const userId = await accountToAdd(context.deps, boardId, context.user.id, body);
      const result = await handle(context, boardId, run, {
        type: 'AddMember',
        data: { userId, role: body.role },
        metadata: run.metadata,
      });
      return { revision: result.revision, member: await memberDtoOf(context.deps.sql, result.state, userId) };
    },
  ),
  changeMemberRole: mutation(memberPayload, { ...memberArgs, ...role }, async (args, context, run) => {
    const userId = idOf(args, 'userId');
    const body = parseOrThrow(changeRoleBody, { role: args['role'] }, 'args');
    const result = await handle(context, boardIdOf(args), run, {
      type: 'ChangeMemberRole',
      data: { userId, role: body.role },
      metadata: run.metadata,
    });
    return { revision: result.revision, member: await memberDtoOf(context.deps.sql, result.state, userId) };
  }),
  removeMember: mutation(deletedPayload, memberArgs, async (args, context, run) => {
    const data = { userId: idOf(args, 'userId') };
    const result = await handle(context, boardIdOf(args), run, { type: 'RemoveMember', data, metadata: run.metadata });
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
  editComment: mutation(
    commentPayload,
    { ...commentArgs, body: { type: new GraphQLNonNull(GraphQLString) } },
    async (args, context, run) => {
      const [taskId, commentId] = [taskIdOf(args), idOf(args, 'commentId')];
      const { body } = parseOrThrow(commentBodySchema, { body: args['body'] }, 'args');
      const result = await taskCommand(context, taskId, run, (metadata) => ({
        type: 'EditComment',
        data: { taskId, commentId, body },
        metadata,
      }));
      return { revision: result.revision, comment: commentDtoOf(result.state, taskId, commentId) };
    },
  ),
  deleteComment: mutation(deletedPayload, commentArgs, async (args, context, run) => {
    const [taskId, commentId] = [taskIdOf(args), idOf(args, 'commentId')];
    const result = await taskCommand(context, taskId, run, (metadata) => ({
      type: 'DeleteComment',
      data: { taskId, commentId },
      metadata,
    }));
    return { revision: result.revision };
  }),
};
