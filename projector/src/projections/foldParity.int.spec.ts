/**
 * Projection/fold parity: random valid command sequences decided by the domain, folded with
 * `evolve`, and the same envelopes projected with `applyEnvelopes` (in random batches, with
 * redeliveries). `getBoardView` must equal `boardViewFromState`, and the comments table must equal
 * the fold's comments, after every batch.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DomainError,
  boardViewFromState,
  decide,
  evolve,
  initialBoardState,
  type BoardCommand,
  type BoardState,
  type Envelope,
  type ExistingBoard,
  type Role,
} from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import { applyEnvelopes } from '../applyBatch.js';
import { getBoardView, readModelBackends } from '@primetrade/read-model';
import { useDatabase } from '../testing/readModels.testkit.js';

interface Intent {
  kind: number;
  a: number;
  b: number;
  c: number;
  actor: number;
}
const intent = fc.record({ kind: fc.nat(27), a: fc.nat(), b: fc.nat(), c: fc.nat(), actor: fc.nat(9) });
const pick = <T>(items: readonly T[], n: number): T | undefined =>
  items.length === 0 ? undefined : items[n % items.length];
const roles: readonly Role[] = ['owner', 'editor', 'viewer'];
const priorities = ['low', 'medium', 'high', 'urgent'] as const;
/** Canonical instants only (what `Date#toISOString` writes): the formats the read model round-trips. */
const dueDates = [null, '2026-05-01T10:00:00.000Z', '2027-12-31T23:59:59.999Z'];

function anchor(ids: readonly string[], n: number) {
  const id = pick(ids, n >> 2);
  if (id === undefined || n % 3 === 0) return {};
  return n % 3 === 1 ? { beforeId: id } : { afterId: id };
}

function stepCommand(board: ExistingBoard, people: readonly string[], step: Intent, now: string): BoardCommand {
  const owner = people[0]!;
  const actorId = step.actor < 7 ? owner : (pick(Object.keys(board.members), step.actor) ?? owner);
  const metadata = { now, actorId };
  const columnIds = Object.keys(board.columns);
  const taskIds = Object.keys(board.tasks);
  const columnId = pick(columnIds, step.a) ?? randomUUID();
  const taskId = pick(taskIds, step.b) ?? randomUUID();
  const inColumn = taskIds.filter((id) => board.tasks[id]?.columnId === columnId);
  const user = pick(people, step.c) ?? owner;
  const commentIds = Object.keys(board.tasks[taskId]?.comments ?? {});
  const cmd = (type: string, data: object) => ({ type, data, metadata }) as unknown as BoardCommand;
  const all = [
    () => cmd('CreateTask', { taskId: randomUUID(), title: `Task ${step.c}`, columnId, ...anchor(inColumn, step.c) }),
    () =>
      cmd('CreateTask', {
        taskId: randomUUID(),
        title: 'T',
        assigneeIds: [user],
        labels: [`l${step.c % 3}`],
        priority: pick(priorities, step.a),
        dueDate: pick(dueDates, step.c),
      }),
    () => cmd('MoveTask', { taskId, columnId, ...anchor(inColumn, step.c) }),
    () => cmd('MoveTask', { taskId, columnId, ...anchor(inColumn, step.c) }),
    () =>
      cmd('UpdateTask', {
        taskId,
        title: `T${step.c % 3}`,
        assigneeIds: Object.keys(board.members).slice(0, step.c % 3),
        labels: [`l${step.c % 4}`],
      }),
    () =>
      cmd('UpdateTask', {
        taskId,
        description: `d${step.c % 3}`,
        priority: pick(priorities, step.c),
        dueDate: pick(dueDates, step.a),
      }),
    () => cmd('CompleteTask', { taskId }),
    () => cmd('ReopenTask', { taskId }),
    () => cmd('ArchiveTask', { taskId }),
    () => cmd('RestoreTask', { taskId }),
    () => cmd('DeleteTask', { taskId }),
    () =>
      cmd('AddColumn', {
        columnId: randomUUID(),
        name: `Column ${step.c}`,
        isDone: step.c % 4 === 0,
        ...anchor(columnIds, step.c),
      }),
    () => cmd('MoveColumn', { columnId, ...anchor(columnIds, step.c) }),
    () => cmd('SetColumnWipLimit', { columnId, wipLimit: step.c % 4 === 0 ? null : step.c % 4 }),
    () => cmd('RemoveColumn', { columnId }),
    () => cmd('RenameColumn', { columnId, name: `C${step.c % 5}` }),
    () => cmd('AddMember', { userId: user, role: pick(roles, step.c) }),
    () => cmd('RemoveMember', { userId: user }),
    () => cmd('ChangeMemberRole', { userId: user, role: pick(roles, step.a) }),
    () => cmd('AddComment', { taskId, commentId: randomUUID(), body: `Note ${step.c}` }),
    () => cmd('AddComment', { taskId, commentId: randomUUID(), body: 'Another' }),
    () =>
      cmd('EditComment', { taskId, commentId: pick(commentIds, step.c) ?? randomUUID(), body: `Edited ${step.a % 3}` }),
    () => cmd('DeleteComment', { taskId, commentId: pick(commentIds, step.c) ?? randomUUID() }),
    () => cmd('RenameBoard', { name: `Board ${step.c % 4}` }),
    () => cmd('ChangeBoardDescription', { description: `About ${step.c % 4}` }),
    () => cmd(step.c % 4 === 0 ? 'ArchiveBoard' : 'RestoreBoard', {}),
    () => cmd('EditComment', { taskId, commentId: pick(commentIds, step.a) ?? randomUUID(), body: 'Again' }),
    () => cmd('DeleteTask', { taskId }),
  ];
  return (all[step.kind % all.length] ?? all[0]!)();
}

async function commentsOf(sql: Sql, boardId: string) {
  return sql.query(
    `SELECT id, task_id AS "taskId", author_id AS "authorId", body,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
            to_char(edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "editedAt"
     FROM comments WHERE board_id = $1 ORDER BY id`,
    [boardId],
  );
}

function foldComments(state: BoardState) {
  if (state.status === 'initial') return [];
  return Object.values(state.tasks)
    .flatMap((task) => Object.values(task.comments).map((comment) => ({ ...comment, taskId: task.id })))
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

const backends = readModelBackends('parity');

/**
 * Projects `envelopes` in chunks (sometimes delivering the previous chunk again with the current
 * one) and checks the board view and comments against the fold after each chunk.
 */
async function projectInChunks(
  sql: Sql,
  boardId: string,
  envelopes: readonly Envelope[],
  chunkSizes: readonly number[],
  redeliver: readonly boolean[],
): Promise<void> {
  let from = 0;
  let previousFrom = 0;
  for (let i = 0; from < envelopes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    const to = Math.min(envelopes.length, from + size);
    const batch = redeliver[i % redeliver.length] ? envelopes.slice(previousFrom, to) : envelopes.slice(from, to);
    await applyEnvelopes(sql, batch);
    previousFrom = from;
    from = to;
    const upTo = envelopes.slice(0, to).reduce<BoardState>(evolve, initialBoardState);
    expect(await getBoardView(sql, boardId)).toEqual(boardViewFromState(upTo, () => ''));
    expect(await commentsOf(sql, boardId)).toEqual(foldComments(upTo));
  }
}

/** Envelopes of one board as the store would record them, folded along the way. */
function boardRecorder(boardId: string) {
  const envelopes: Envelope[] = [];
  let state: BoardState = initialBoardState;
  return {
    envelopes,
    state: () => state,
    decide(command: BoardCommand) {
      for (const event of decide(command, state)) {
        const envelope = {
          ...event,
          id: randomUUID(),
          boardId,
          revision: envelopes.length,
          position: String(envelopes.length),
          occurredAt: command.metadata.now,
          actorId: command.metadata.actorId,
          correlationId: randomUUID(),
          causationId: null,
          schemaVersion: 1,
        } as Envelope;
        envelopes.push(envelope);
        state = evolve(state, envelope);
      }
    },
  };
}

/**
 * A board whose columns get rebalanced (docs/architecture.md): cards squeezed again and again right
 * after a column's first card, from the same column and from others, with creations in between.
 */
function squeezedBoard(boardId: string, ownerId: string, moves: readonly number[]) {
  const board = boardRecorder(boardId);
  const columns = [randomUUID(), randomUUID(), randomUUID()];
  const at = (n: number) => new Date(Date.parse('2026-01-01T09:00:00.000Z') + n * 1_000).toISOString();
  const cmd = (type: string, data: object, n: number) =>
    board.decide({ type, data, metadata: { now: at(n), actorId: ownerId } } as unknown as BoardCommand);
  const names = ['To do', 'Doing', 'Done'];
  cmd(
    'CreateBoard',
    { boardId, name: 'B', columns: columns.map((columnId, i) => ({ columnId, name: names[i], isDone: i === 2 })) },
    0,
  );
  for (let n = 0; n < 8; n++)
    cmd('CreateTask', { taskId: randomUUID(), title: `T${n}`, columnId: columns[n % 2] }, n + 1);
  for (const [n, move] of moves.entries()) {
    const state = board.state() as ExistingBoard;
    const columnId = columns[move % 3]!;
    const order = Object.values(state.tasks)
      .filter((task) => task.columnId === columnId)
      .sort((x, y) => (x.position < y.position ? -1 : 1));
    const first = order[0];
    const mover = move % 5 === 0 ? Object.values(state.tasks)[move % Object.keys(state.tasks).length] : order.at(-1);
    if (move % 11 === 0)
      cmd('CreateTask', { taskId: randomUUID(), title: 'New', columnId, afterId: first?.id }, n + 10);
    else if (first && mover && mover.id !== first.id)
      cmd('MoveTask', { taskId: mover.id, columnId, afterId: first.id }, n + 10);
  }
  return board;
}

describe.each(backends)('Read models equal the domain fold on $name', ({ open }) => {
  let sql: Sql;
  useDatabase(open, (database) => (sql = database));

  it('for random command sequences, projected in random batches with redeliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(intent, { minLength: 10, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        async (steps, chunkSizes, redeliver) => {
          const boardId = randomUUID();
          const people = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
          const start = Date.parse('2026-01-01T09:00:00.000Z');
          const envelopes: Envelope[] = [];
          let state: BoardState = initialBoardState;
          const record = (events: readonly { type: string; data: unknown }[], now: string, actorId: string) => {
            for (const event of events) {
              const envelope = {
                ...event,
                id: randomUUID(),
                boardId,
                revision: envelopes.length,
                position: String(envelopes.length),
                occurredAt: now,
                actorId,
                correlationId: randomUUID(),
                causationId: null,
                schemaVersion: 1,
              } as Envelope;
              envelopes.push(envelope);
              state = evolve(state, envelope);
            }
          };
          const createdAt = new Date(start).toISOString();
          const create = {
            type: 'CreateBoard',
            metadata: { now: createdAt, actorId: people[0]! },
            data: {
              boardId,
              name: 'B',
              columns: [
                { columnId: randomUUID(), name: 'To do' },
                { columnId: randomUUID(), name: 'Doing' },
                { columnId: randomUUID(), name: 'Done', isDone: true },
              ],
            },
          } as BoardCommand;
          record(decide(create, state), createdAt, people[0]!);
          steps.forEach((step, index) => {
            if (state.status === 'initial') throw new Error('the board vanished');
            // Distinct instants, some with a non-zero millisecond part.
            const now = new Date(start + (index + 1) * 1_000 + (index % 7) * 37).toISOString();
            // Kind 0 is a burst of three creates, so runs of TaskCreated take the bulk insert path.
            const repeat = step.kind === 0 ? 3 : 1;
            for (let n = 0; n < repeat && (state as BoardState).status !== 'initial'; n++) {
              const command = stepCommand(state, people, { ...step, c: step.c + n }, now);
              try {
                record(decide(command, state), now, command.metadata.actorId);
              } catch (error) {
                if (!(error instanceof DomainError)) throw error;
              }
            }
          });

          await projectInChunks(sql, boardId, envelopes, chunkSizes, redeliver);
          expect(await getBoardView(sql, boardId)).toEqual(boardViewFromState(state, () => ''));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('for columns rebalanced by moves and creations squeezed between the same neighbours', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: 300, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        async (moves, chunkSizes, redeliver) => {
          const boardId = randomUUID();
          const board = squeezedBoard(boardId, randomUUID(), moves);
          const rebalances = board.envelopes.filter((event) => event.type === 'ColumnPositionsRebalanced');
          expect(rebalances.length).toBeGreaterThan(0);
          await projectInChunks(sql, boardId, board.envelopes, chunkSizes, redeliver);
          expect(await getBoardView(sql, boardId)).toEqual(boardViewFromState(board.state(), () => ''));
        },
      ),
      { numRuns: 4 },
    );
  });
});
