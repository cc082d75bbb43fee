/**
 * Recorded scenarios of random commands, for property tests here and in other packages: a random
 * intent becomes a command that makes sense on the current state (most are accepted, some refused),
 * and `playScenario` records what the decider appended, change by change, with the live state.
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import type { BoardCommand } from './board.commands.js';
import type { BoardState } from './board.state.js';
import type { ExistingBoard } from './board.guards.js';
import { decide } from './board.decide.js';
import { evolve, foldBoard } from './board.evolve.js';
import { DomainError } from './errors.js';
import { isPositionKey } from './position.js';
import { initialBoardState } from './board.state.js';
import { OWNER, command } from './board.testkit.js';
import type { RecordedBoardEvent, TaskCreated } from './board.events.js';
import { undoCommand } from './undo.decisions.js';

/** A random intent; `stepCommand` turns it into a command that makes sense on the current state. */
export interface Intent {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly actor: number;
}
export const intent = fc.record({ kind: fc.nat(20), a: fc.nat(), b: fc.nat(), c: fc.nat(), actor: fc.nat(9) });
const people = [OWNER, 'u1', 'u2', 'u3'];
const pick = <T>(items: readonly T[], n: number): T | undefined =>
  items.length === 0 ? undefined : items[n % items.length];

function anchor(ids: string[], n: number) {
  const id = pick(ids, n >> 2);
  if (id === undefined || n % 3 === 0) return {};
  return n % 3 === 1 ? { beforeId: id } : { afterId: id };
}

export function stepCommand(board: ExistingBoard, step: Intent, index: number): BoardCommand {
  const actor = step.actor < 7 ? OWNER : (pick(Object.keys(board.members), step.actor) ?? OWNER);
  const columnIds = Object.keys(board.columns);
  const taskIds = Object.keys(board.tasks);
  const columnId = pick(columnIds, step.a) ?? 'none';
  const taskId = pick(taskIds, step.b) ?? 'none';
  const inColumn = taskIds.filter((id) => board.tasks[id]?.columnId === columnId);
  const user = pick(people, step.c) ?? OWNER;
  const cmds: (() => BoardCommand)[] = [
    () =>
      command(
        'CreateTask',
        { taskId: `t${index}`, title: `Task ${index}`, columnId, ...anchor(inColumn, step.c) },
        actor,
      ),
    () => command('CreateTask', { taskId: `t${index}`, title: `Task ${index}`, assigneeIds: [user] }, actor),
    () => command('MoveTask', { taskId, columnId, ...anchor(inColumn, step.c) }, actor),
    () => command('MoveTask', { taskId, columnId, ...anchor(inColumn, step.c) }, actor),
    () =>
      command(
        'UpdateTask',
        {
          taskId,
          title: `T${step.c % 3}`,
          assigneeIds: Object.keys(board.members).slice(0, step.c % 3),
          labels: [`l${step.c % 4}`],
        },
        actor,
      ),
    () => command('CompleteTask', { taskId }, actor),
    () => command('ReopenTask', { taskId }, actor),
    () => command('ArchiveTask', { taskId }, actor),
    () => command('RestoreTask', { taskId }, actor),
    () => command('DeleteTask', { taskId }, actor),
    () =>
      command(
        'AddColumn',
        { columnId: `c${index}`, name: `Column ${index}`, isDone: step.c % 4 === 0, ...anchor(columnIds, step.c) },
        actor,
      ),
    () => command('MoveColumn', { columnId, ...anchor(columnIds, step.c) }, actor),
    () => command('SetColumnWipLimit', { columnId, wipLimit: step.c % 4 === 0 ? null : step.c % 4 }, actor),
    () => command('RemoveColumn', { columnId }, actor),
    () =>
      command(
        'AddMember',
        { userId: user, role: pick(['owner', 'editor', 'viewer'] as const, step.c) ?? 'editor' },
        actor,
      ),
    () => command('RemoveMember', { userId: user }, actor),
    () =>
      command(
        'ChangeMemberRole',
        { userId: user, role: pick(['owner', 'editor', 'viewer'] as const, step.a) ?? 'editor' },
        actor,
      ),
    () => command('AddComment', { taskId, commentId: `m${index}`, body: 'Note' }, actor),
    () =>
      command(
        'DeleteComment',
        { taskId, commentId: pick(Object.keys(board.tasks[taskId]?.comments ?? {}), step.c) ?? 'none' },
        actor,
      ),
    () => command(step.c % 6 === 0 ? 'ArchiveBoard' : 'RestoreBoard', {}, actor),
  ];
  return (cmds[step.kind] ?? cmds[0] ?? (() => command('ArchiveBoard', {}, actor)))();
}

export function checkInvariants(board: ExistingBoard): void {
  const byColumn = new Map<string, string[]>();
  for (const task of Object.values(board.tasks)) {
    expect(board.columns[task.columnId]).toBeDefined();
    expect(isPositionKey(task.position)).toBe(true);
    for (const userId of task.assigneeIds) expect(board.members[userId]).toBeDefined();
    byColumn.set(task.columnId, [...(byColumn.get(task.columnId) ?? []), task.position]);
  }
  for (const positions of byColumn.values()) {
    const sorted = [...positions].sort();
    expect(sorted.every((position, i) => i === 0 || (sorted[i - 1] ?? '') < position)).toBe(true);
  }
  expect(Object.values(board.members).some((member) => member.role === 'owner')).toBe(true);
  expect(Object.keys(board.columns).length).toBeGreaterThan(0);
}

export const created = (): RecordedBoardEvent[] =>
  decide(
    command('CreateBoard', {
      boardId: 'b',
      name: 'B',
      columns: [
        { columnId: 'todo', name: 'To do' },
        { columnId: 'doing', name: 'Doing' },
        { columnId: 'done', name: 'Done', isDone: true },
      ],
    }),
    initialBoardState,
  ).map((event, revision) => ({ ...event, revision, occurredAt: '2026-01-01T00:00:00Z', actorId: OWNER }));

/**
 * `created()` plus cards whose keys are one squeeze from the bound in each open column (two tight
 * pairs per column), so random moves and creations between them rebalance the columns (board.rebalance.ts).
 */
export function crowdedStart(): RecordedBoardEvent[] {
  const log = created();
  const tight = (prefix: string) => [prefix, `${prefix}${'0'.repeat(10)}1`];
  for (const columnId of ['todo', 'doing'])
    for (const [index, position] of [...tight('V'), ...tight('X')].entries()) {
      const event: TaskCreated = {
        type: 'TaskCreated',
        data: {
          ...{ taskId: `${columnId}-${index}`, columnId, position, title: `Crowded ${index}`, description: '' },
          ...{ priority: 'medium', dueDate: null, assigneeIds: [], labels: [] },
        },
      };
      log.push({ ...event, revision: log.length, occurredAt: '2026-01-01T00:00:00Z', actorId: OWNER });
    }
  return log;
}

/** One accepted command: the revisions it appended, who sent it, and the command itself. */
export interface RecordedChange {
  readonly first: number;
  readonly last: number;
  readonly actorId: string;
  readonly command: BoardCommand;
}

export interface Scenario {
  readonly log: RecordedBoardEvent[];
  readonly changes: RecordedChange[];
  /** The live state after each revision, as a running fold had it (index = revision). */
  readonly states: BoardState[];
  readonly refused: number;
}

/** Minutes after the board's creation: every command happens one minute after the previous. */
export function scenarioTime(index: number): string {
  const minutes = index + 1;
  const [day, hour, minute] = [1 + Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  if (day > 31) throw new RangeError('scenarios stay within January 2026');
  return `2026-01-${two(day)}T${two(hour)}:${two(minute)}:00.000Z`;
}

/** A step of kind 20 undoes an earlier change (picked by `a`) instead of a new command. */
function commandFor(state: ExistingBoard, step: Intent, index: number, scenario: Scenario): BoardCommand {
  const change = step.kind === 20 ? scenario.changes[step.a % Math.max(1, scenario.changes.length)] : undefined;
  if (change === undefined) return stepCommand(state, { ...step, kind: step.kind % 20 }, index);
  const actorId = step.actor < 7 ? OWNER : change.actorId;
  return undoCommand(scenario.log, change, { now: scenarioTime(index), actorId });
}

export function playScenario(steps: readonly Intent[], start: readonly RecordedBoardEvent[] = created()): Scenario {
  const log = [...start];
  let state: BoardState = foldBoard(log);
  const scenario: Scenario = {
    log,
    changes: [],
    states: log.map((_, revision) => foldBoard(log.slice(0, revision + 1))),
    refused: 0,
  };
  steps.forEach((step, index) => {
    if (state.status === 'initial') throw new Error('the board vanished');
    const base = commandFor(state, step, index, scenario);
    const cmd = { ...base, metadata: { ...base.metadata, now: scenarioTime(index) } } as BoardCommand;
    let events;
    try {
      events = decide(cmd, state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      (scenario as { refused: number }).refused++;
      return;
    }
    if (events.length === 0) return;
    const first = log.length;
    for (const event of events) {
      const recorded = { ...event, revision: log.length, occurredAt: cmd.metadata.now, actorId: cmd.metadata.actorId };
      log.push(recorded);
      state = evolve(state, recorded);
      scenario.states.push(state);
    }
    scenario.changes.push({ first, last: log.length - 1, actorId: cmd.metadata.actorId, command: cmd });
  });
  return scenario;
}
