/**
 * A seeded random board history for the statistics tests: a few hundred commands decided by the
 * domain over several weeks (moves back and forth, completions and reopenings, archives, deletes,
 * WIP limits lowered below a column's count, columns added, moved and removed, due dates around
 * "now", undos of recent changes, deletes among them), recorded as envelopes. Refused commands are skipped, as a client's would be.
 */
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  decide,
  evolve,
  initialBoardState,
  priorities,
  undoCommand,
  type BoardCommand,
  type BoardState,
  type Envelope,
  type ExistingBoard,
} from '@primetrade/domain';
import { seededRandom } from '@primetrade/platform';

export interface StatsScenario {
  readonly boardId: string;
  /** people[0] owns the board; the others are added as members along the way. */
  readonly people: readonly string[];
  readonly events: readonly Envelope[];
  /** An instant shortly after the last event: "now" for the time-dependent figures. */
  readonly now: Date;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
const iso = (time: number) => new Date(time).toISOString();

/** One command that makes sense on the current board (most of the time: refusals are fine). */
function nextCommand(
  board: ExistingBoard,
  people: readonly string[],
  random: Random,
  now: number,
): { type: string; data: object } {
  const columns = Object.values(board.columns);
  const tasks = Object.values(board.tasks);
  const columnId = pick(random, columns)?.id ?? randomUUID();
  const task = pick(random, tasks);
  const taskId = task?.id ?? randomUUID();
  const dueDate = random() < 0.5 ? null : iso(now + Math.round((random() * 20 - 6) * 86_400_000));
  const roll = random();
  if (roll < 0.22) {
    return {
      type: 'CreateTask',
      data: {
        taskId: randomUUID(),
        title: 'Task',
        columnId: random() < 0.7 ? undefined : columnId,
        priority: pick(random, priorities),
        dueDate,
        assigneeIds: people.filter((id) => board.members[id] && random() < 0.3),
      },
    };
  }
  if (roll < 0.5) return { type: 'MoveTask', data: { taskId, columnId } };
  if (roll < 0.58) return { type: 'CompleteTask', data: { taskId } };
  if (roll < 0.63) return { type: 'ReopenTask', data: { taskId } };
  if (roll < 0.67) return { type: 'ArchiveTask', data: { taskId } };
  if (roll < 0.71)
    return {
      type: 'RestoreTask',
      data: {
        taskId:
          pick(
            random,
            tasks.filter((t) => t.archived),
          )?.id ?? taskId,
      },
    };
  if (roll < 0.74) return { type: 'DeleteTask', data: { taskId } };
  if (roll < 0.8)
    return {
      type: 'SetColumnWipLimit',
      data: { columnId, wipLimit: random() < 0.25 ? null : 1 + Math.floor(random() * 3) },
    };
  if (roll < 0.86) {
    return {
      type: 'UpdateTask',
      data: {
        taskId,
        priority: pick(random, priorities),
        dueDate,
        assigneeIds: people.filter((id) => board.members[id] && random() < 0.4),
      },
    };
  }
  if (roll < 0.89) return { type: 'AddColumn', data: { columnId: randomUUID(), name: 'More', isDone: random() < 0.2 } };
  if (roll < 0.92)
    return {
      type: 'MoveColumn',
      data: { columnId, ...(random() < 0.5 ? {} : { beforeId: pick(random, columns)?.id }) },
    };
  if (roll < 0.94) return { type: 'RemoveColumn', data: { columnId } };
  if (roll < 0.97) return { type: 'AddMember', data: { userId: pick(random, people), role: 'editor' } };
  return { type: 'AddComment', data: { taskId, commentId: randomUUID(), body: 'Note' } };
}

interface Change {
  readonly first: number;
  readonly last: number;
}

/**
 * An undo of a recent change: the latest delete (the task comes back), the latest reopen (the
 * completion comes back with its instant) or one of the last ten changes. Many are refused (a later
 * change would be overwritten): that is fine.
 */
function undoOf(
  events: readonly Envelope[],
  changes: readonly Change[],
  random: Random,
  now: string,
  actorId: string,
): BoardCommand | null {
  const latestWith = (type: string) =>
    changes.findLast((change) => events.slice(change.first, change.last + 1).some((event) => event.type === type));
  const roll = random();
  const change =
    (roll < 0.35 ? latestWith('TaskDeleted') : roll < 0.7 ? latestWith('TaskReopened') : undefined) ??
    pick(random, changes.slice(-10));
  return change ? undoCommand(events, change, { now, actorId }) : null;
}

/** `steps` commands from `seed`, 10 minutes to 2 days apart, starting `start`. */
export function statsScenario(seed: number, steps: number, start = '2026-03-01T08:00:00.000Z'): StatsScenario {
  const random = seededRandom(seed);
  const boardId = randomUUID();
  const people = [randomUUID(), randomUUID(), randomUUID()];
  const events: Envelope[] = [];
  const changes: Change[] = [];
  let state: BoardState = initialBoardState;
  let clock = Date.parse(start);
  const record = (command: BoardCommand) => {
    const decided = decide(command, state);
    if (decided.length > 0) changes.push({ first: events.length, last: events.length + decided.length - 1 });
    for (const event of decided) {
      const envelope = {
        ...event,
        id: randomUUID(),
        boardId,
        revision: events.length,
        position: String(events.length).padStart(12, '0'),
        occurredAt: command.metadata.now,
        actorId: command.metadata.actorId,
        correlationId: randomUUID(),
        causationId: null,
        schemaVersion: 1,
      } as Envelope;
      events.push(envelope);
      state = evolve(state, envelope);
    }
  };
  const owner = people[0]!;
  record({
    type: 'CreateBoard',
    metadata: { now: iso(clock), actorId: owner },
    data: {
      boardId,
      name: 'Flow',
      columns: [
        { columnId: randomUUID(), name: 'To do' },
        { columnId: randomUUID(), name: 'Doing', wipLimit: 3 },
        { columnId: randomUUID(), name: 'Done', isDone: true },
      ],
    },
  });
  for (let step = 0; step < steps && state.status !== 'initial'; step++) {
    clock += random() < 0.7 ? Math.round(random() * 3_600_000) + 600_000 : Math.round(random() * 2 * 86_400_000);
    const metadata = { now: iso(clock), actorId: owner };
    const command =
      random() < 0.08
        ? undoOf(events, changes, random, metadata.now, owner)
        : ({ ...nextCommand(state, people, random, clock), metadata } as BoardCommand);
    try {
      if (command) record(command);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { boardId, people, events, now: new Date(clock + Math.round(random() * 86_400_000)) };
}
