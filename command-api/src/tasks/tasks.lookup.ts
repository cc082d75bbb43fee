import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, taskDtoFromState, type TaskDto } from '@primetrade/domain';
import { getTask } from '@primetrade/projector';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { isMemberIn } from '../boards/stateViews.js';

const pollEveryMs = 50;
const taskNotFound = (): DomainError => new DomainError('TASK.NOT_FOUND', 'Task not found');

/** The task from the store-folded state of a board this node has cached, if the caller is a member. */
async function fromCachedBoard(deps: BoardRouteDeps, taskId: string, userId: string): Promise<TaskDto | null> {
  const boardId = deps.commands.findBoardOfTask(taskId);
  if (boardId === null) return null;
  const state = await deps.commands.load(boardId);
  return isMemberIn(state, userId) ? taskDtoFromState(state, taskId) : null;
}

/**
 * A task the caller may see. Task URLs carry no board id, so the board comes from:
 * 1. the read model (`tasks.board_id`, member check included), else
 * 2. the board state cache of this node (a task this node just wrote, not projected yet), else
 * 3. the read model again, polled for up to `readModelWaitMs` (default 1 s): a task created a
 *    moment ago through another node is in neither place until the projector catches up.
 * So right after a create, a request to another node waits a little instead of answering a
 * false 404; a truly unknown task answers 404 after that wait.
 */
export async function findTask(deps: BoardRouteDeps, taskId: string, userId: string): Promise<TaskDto> {
  const deadline = performance.now() + (deps.readModelWaitMs ?? 1_000);
  for (;;) {
    const task = (await getTask(deps.sql, taskId, userId)) ?? (await fromCachedBoard(deps, taskId, userId));
    if (task !== null) return task;
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
