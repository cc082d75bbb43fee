import { describe, expect, it } from 'vitest';
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
import type { RecordedBoardEvent } from './board.events.js';

/** A random intent; `stepCommand` turns it into a command that makes sense on the current state. */
interface Intent {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly actor: number;
}
const intent = fc.record({ kind: fc.nat(19), a: fc.nat(), b: fc.nat(), c: fc.nat(), actor: fc.nat(9) });
const people = [OWNER, 'u1', 'u2', 'u3'];
const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

function anchor(ids: string[], n: number) {
  const id = pick(ids, n >> 2);
  if (id === undefined || n % 3 === 0) return {};
  return n % 3 === 1 ? { beforeId: id } : { afterId: id };
}

function stepCommand(board: ExistingBoard, step: Intent, index: number): BoardCommand {
  const actor = step.actor < 7 ? OWNER : (pick(Object.keys(board.members), step.actor) ?? OWNER);
  const columnIds = Object.keys(board.columns);
  const taskIds = Object.keys(board.tasks);
  const columnId = pick(columnIds, step.a) ?? 'none';
  const taskId = pick(taskIds, step.b) ?? 'none';
  const inColumn = taskIds.filter((id) => board.tasks[id]?.columnId === columnId);
  const user = pick(people, step.c) ?? OWNER;
  const cmds: (() => BoardCommand)[] = [
    () => command('CreateTask', { taskId: `t${index}`, title: `Task ${index}`, columnId, ...anchor(inColumn, step.c) }, actor),
    () => command('CreateTask', { taskId: `t${index}`, title: `Task ${index}`, assigneeIds: [user] }, actor),
    () => command('MoveTask', { taskId, columnId, ...anchor(inColumn, step.c) }, actor),
    () => command('MoveTask', { taskId, columnId, ...anchor(inColumn, step.c) }, actor),
    () => command('UpdateTask', { taskId, title: `T${step.c % 3}`, assigneeIds: Object.keys(board.members).slice(0, step.c % 3), labels: [`l${step.c % 4}`] }, actor),
    () => command('CompleteTask', { taskId }, actor),
    () => command('ReopenTask', { taskId }, actor),
    () => command('ArchiveTask', { taskId }, actor),
    () => command('RestoreTask', { taskId }, actor),
    () => command('DeleteTask', { taskId }, actor),
    () => command('AddColumn', { columnId: `c${index}`, name: `Column ${index}`, isDone: step.c % 4 === 0, ...anchor(columnIds, step.c) }, actor),
    () => command('MoveColumn', { columnId, ...anchor(columnIds, step.c) }, actor),
    () => command('SetColumnWipLimit', { columnId, wipLimit: step.c % 4 === 0 ? null : step.c % 4 }, actor),
    () => command('RemoveColumn', { columnId }, actor),
    () => command('AddMember', { userId: user, role: pick(['owner', 'editor', 'viewer'] as const, step.c) ?? 'editor' }, actor),
    () => command('RemoveMember', { userId: user }, actor),
    () => command('ChangeMemberRole', { userId: user, role: pick(['owner', 'editor', 'viewer'] as const, step.a) ?? 'editor' }, actor),
    () => command('AddComment', { taskId, commentId: `m${index}`, body: 'Note' }, actor),
    () => command('DeleteComment', { taskId, commentId: pick(Object.keys(board.tasks[taskId]?.comments ?? {}), step.c) ?? 'none' }, actor),
    () => command(step.c % 6 === 0 ? 'ArchiveBoard' : 'RestoreBoard', {}, actor),
  ];
  return (cmds[step.kind] ?? cmds[0] ?? (() => command('ArchiveBoard', {}, actor)))();
}

function checkInvariants(board: ExistingBoard): void {
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

const created = (): RecordedBoardEvent[] =>
  decide(command('CreateBoard', { boardId: 'b', name: 'B', columns: [
    { columnId: 'todo', name: 'To do' }, { columnId: 'doing', name: 'Doing' }, { columnId: 'done', name: 'Done', isDone: true },
  ] }), initialBoardState).map((event, revision) => ({ ...event, revision, occurredAt: '2026-01-01T00:00:00Z', actorId: OWNER }));

describe('Board decider, property-based', () => {
  it('never breaks its invariants over random command sequences, and evolve never throws', () => {
    fc.assert(fc.property(fc.array(intent, { minLength: 20, maxLength: 120 }), (steps) => {
      const log = created();
      let state: BoardState = foldBoard(log);
      steps.forEach((step, index) => {
        if (state.status === 'initial') throw new Error('the board vanished');
        const cmd = stepCommand(state, step, index);
        let events;
        try {
          events = decide(cmd, state);
        } catch (error) {
          if (error instanceof DomainError) return;
          throw error;
        }
        for (const event of events) {
          const recorded = { ...event, revision: log.length, occurredAt: '2026-01-02T00:00:00Z', actorId: cmd.metadata.actorId };
          log.push(recorded);
          state = evolve(state, recorded);
        }
        if (state.status === 'initial') throw new Error('the board vanished');
        checkInvariants(state);
      });
      expect(foldBoard(log)).toEqual(state);
    }), { numRuns: 200 });
  });
});
