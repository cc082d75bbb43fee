import type { BoardCommand, CommandMetadata } from '@primetrade/domain';
import {
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  responsePathAsArray,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLResolveInfo,
  type GraphQLOutputType,
} from 'graphql';
import { z } from 'zod';
import { id } from '../boards/common.schemas.js';
import { boardDtoOf } from '../boards/stateViews.js';
import { requestIds } from '../commands/commandHttp.js';
import { parseOrThrow } from '../http/route.js';
import { asTaskNotFound, boardOfTask } from '../tasks/tasks.lookup.js';
import type { GraphQLContext } from './graphql.context.js';

/**
 * What every mutation shares: the command handler of the REST routes, `expectedRevision` as
 * `If-Match` (REVISION.MISMATCH), ids derived from an `Idempotency-Key` header and the field's
 * response path (docs/adr/0028-graphql-endpoint.md).
 */
export const revisionArg: GraphQLFieldConfigArgumentMap = {
  expectedRevision: {
    type: GraphQLInt,
    description: 'As `If-Match`: refused with REVISION.MISMATCH when the board moved on.',
  },
};
const expectedRevision = z.number().int().min(-1).optional();

export const payload = (name: string, field: string, type: GraphQLOutputType) =>
  new GraphQLObjectType({
    name,
    fields: { revision: { type: new GraphQLNonNull(GraphQLInt) }, [field]: { type: new GraphQLNonNull(type) } },
  });

export interface Run {
  readonly metadata: CommandMetadata;
  /** Ids for what this mutation creates: derived from the Idempotency-Key and the field's response path. */
  readonly newIds: () => string;
  readonly options: { expectedRevision: number | undefined; correlationId: string; causationId: null };
}

export function runOf(context: GraphQLContext, args: Record<string, unknown>, info: GraphQLResolveInfo): Run {
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

export const boardIdOf = (args: Record<string, unknown>) => parseOrThrow(id, args['boardId'], 'args.boardId');
export const taskIdOf = (args: Record<string, unknown>) => parseOrThrow(id, args['taskId'], 'args.taskId');

type Resolver = (args: Record<string, unknown>, context: GraphQLContext, run: Run) => Promise<unknown>;

export function mutation(
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

export async function boardCommand(
  context: GraphQLContext,
  boardId: string,
  run: Run,
  commands: BoardCommand | BoardCommand[],
) {
  const result = await context.deps.commands.handle(boardId, commands, run.options);
  return { revision: result.revision, board: boardDtoOf(result.state) };
}

/** A command on a task's board; a board the caller cannot see means the task does not exist (as REST). */
export async function taskCommand(
  context: GraphQLContext,
  taskId: string,
  run: Run,
  build: (metadata: CommandMetadata) => BoardCommand,
) {
  const boardId = await boardOfTask(context.deps, taskId, context.user.id);
  return asTaskNotFound(context.deps.commands.handle(boardId, build(run.metadata), run.options));
}

export const clean = (value: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).filter(([, item]) => item !== undefined));

export const boardArgs = { boardId: { type: new GraphQLNonNull(GraphQLID) } };
export const taskArgs = { taskId: { type: new GraphQLNonNull(GraphQLID) } };
