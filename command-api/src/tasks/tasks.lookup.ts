import { setTimeout as sleep } from 'node:timers/promises';
import {
  DomainError,
  taskDtoFromState,
  type BoardCommand,
  type CommandMetadata,
  type TaskDto,
} from '@primetrade/domain';
import { getBoardIdOfTask, getTask } from '@primetrade/read-model';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { requireBoardMember } from '../boards/boardAccess.js';
import { isMemberIn } from '../boards/stateViews.js';
import { commandMetadata, handleOptions, setRevision } from '../commands/commandHttp.js';
import type { AppContext } from '../http/state.js';

const pollEveryMs = 50;
const taskNotFound = (): DomainError => new DomainError('TASK.NOT_FOUND', 'Task not found');

/** The task from the store-folded state of its board: exact, whatever the read model lags. */
async function fromBoardState(deps: BoardRouteDeps, boardId: string, taskId: string, userId: string): Promise<TaskDto> {
  const state = await deps.commands.load(boardId);
  const task = isMemberIn(state, userId) ? taskDtoFromState(state, taskId) : null;
  if (task === null) throw taskNotFound();
  return task;
}

/**
 * A task the caller may see. Task URLs carry no board id; the read model answers the common
 * case in one query. When it does not, the board comes from this node's state cache (a task
 * it just wrote) or from the read model's `tasks.board_id` (a member added a moment ago),
 * and the store-folded state of that board decides. An id known nowhere may be a task created
 * a moment ago through another node and not projected yet: we poll the read model for up to
 * `readModelWaitMs` (default 1 s) before answering 404, so only truly unknown ids pay the wait.
 */
export async function findTask(deps: BoardRouteDeps, taskId: string, userId: string): Promise<TaskDto> {
  const deadline = performance.now() + (deps.readModelWaitMs ?? 1_000);
  for (;;) {
    const task = await getTask(deps.sql, taskId, userId);
    // The read model may still list a member who was just removed: confirm against the store.
    if (task !== null) return asTaskNotFound(requireBoardMember(deps, task.boardId, userId).then(() => task));
    const boardId = deps.commands.findBoardOfTask(taskId) ?? (await getBoardIdOfTask(deps.sql, taskId));
    if (boardId !== null) return fromBoardState(deps, boardId, taskId, userId);
    if (performance.now() >= deadline) throw taskNotFound();
    await sleep(pollEveryMs);
  }
}

/** The board a task command goes to; the cache hint skips the read model for tasks this node knows. */
export async function boardOfTask(deps: BoardRouteDeps, taskId: string, userId: string): Promise<string> {
  return deps.commands.findBoardOfTask(taskId) ?? (await findTask(deps, taskId, userId)).boardId;
}

/** For the caller of a task route, a board they cannot see means the task does not exist. */
export async function asTaskNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BOARD.NOT_FOUND') throw taskNotFound();
    throw error;
  }
}

/** Runs a command on the board of `taskId`; an invisible board means an invisible task (404). */
export async function runTaskCommand(
  deps: BoardRouteDeps,
  ctx: AppContext,
  taskId: string,
  build: (metadata: CommandMetadata) => BoardCommand,
) {
  const metadata = commandMetadata(ctx, deps.clock);
  const boardId = await boardOfTask(deps, taskId, metadata.actorId);
  const result = await asTaskNotFound(deps.commands.handle(boardId, build(metadata), handleOptions(ctx)));
  setRevision(ctx, result.revision);
  return result;
}
