import { randomUUID } from 'node:crypto';
import {
  boardStreamId,
  boardStreamPrefix,
  foldBoard,
  type BoardEvent,
  type Comment,
  type Envelope,
  type Priority,
  type Role,
  type Task,
} from '@primetrade/domain';
import { seededRandom, toEventToAppend, type EventStore } from '@primetrade/platform';
import { BoardStream } from './boardEvents.testkit.js';
import { waitFor } from './wait.testkit.js';

/** Text users type: quotes, backslashes, dollar signs, SQL, non-ASCII. Stored and shown as text. */
const texts = [
  'Ship the release',
  'O\'Brien\'s "plan"',
  'C:\\path\\to\\file',
  '$1 costs $$2',
  "'; DROP TABLE tasks; --",
  'Überprüfung — 漢字 🚀',
  "E'\\x41' and \\n",
  'Line one\nline two\ttabbed',
  'plain',
  '{"json": [1, 2]}',
];
const labels = ['bug', 'ui', 'backend', "won't fix", 'p1'];
const priorities: readonly Priority[] = ['low', 'medium', 'high', 'urgent'];
const roles: readonly Role[] = ['editor', 'viewer'];

interface SimTask {
  columnId: string;
  position: string;
  status: 'open' | 'completed';
  archived: boolean;
  assignees: string[];
  labels: string[];
  comments: string[];
}

/**
 * One board's life, valid by the domain's rules (tasks in columns that exist, comments on tasks
 * that exist, members before assignments), with the event mix of a busy team board: mostly task
 * creation, moves and edits, some comments, now and then a column, member or board change.
 */
class BoardSimulation {
  readonly stream: BoardStream;
  readonly #random: () => number;
  readonly #members: string[] = [];
  readonly #columns: string[] = [];
  readonly #tasks = new Map<string, SimTask>();
  /** Everything emitted, to fold what an undo brings back exactly. */
  readonly #log: Envelope[] = [];
  readonly #deleted: { taskId: string; sim: SimTask; task: Task }[] = [];
  readonly #deletedComments: { taskId: string; comment: Comment }[] = [];
  #counter = 0;

  constructor(random: () => number, start: string) {
    this.#random = random;
    this.stream = new BoardStream({ start });
  }

  opening(): Envelope[] {
    const name = this.#pick(texts);
    const events = this.stream.create(name, this.#pick(texts));
    this.#members.push(this.stream.ownerId);
    for (const role of ['editor', 'viewer'] as const) {
      const userId = randomUUID();
      this.#members.push(userId);
      events.push(this.stream.addMember(userId, role));
    }
    for (const [index, column] of ['To do', 'Doing', 'Done'].entries()) {
      const added = this.stream.addColumn(column, {
        position: `c${index}`,
        isDone: column === 'Done',
        wipLimit: column === 'Doing' ? 5 : null,
      });
      this.#columns.push(added.data.columnId);
      events.push(added);
    }
    this.#log.push(...events);
    return events;
  }

  next(): Envelope {
    const event = this.#next();
    this.#log.push(event);
    return event;
  }

  /** Undo of a delete (TaskReinstated / CommentReinstated), as the domain decides it: exactly what was there. */
  #reinstate(): Envelope | null {
    const task = this.#deleted.shift();
    if (task !== undefined) {
      this.#tasks.set(task.taskId, task.sim);
      return this.#emit({ type: 'TaskReinstated', data: { taskId: task.taskId, task: task.task } });
    }
    const index = this.#deletedComments.findIndex((entry) => this.#tasks.has(entry.taskId));
    const comment = this.#deletedComments.splice(index, index < 0 ? 0 : 1)[0];
    if (index < 0 || comment === undefined) return null;
    this.#tasks.get(comment.taskId)?.comments.push(comment.comment.id);
    return this.#emit({
      type: 'CommentReinstated',
      data: { taskId: comment.taskId, commentId: comment.comment.id, comment: comment.comment },
    });
  }

  #taskNow(taskId: string): Task | undefined {
    const state = foldBoard(this.#log);
    return state.status === 'initial' ? undefined : state.tasks[taskId];
  }

  #next(): Envelope {
    const roll = this.#random() * 100;
    const task = this.#tasks.size > 0 ? this.#pick([...this.#tasks.keys()]) : null;
    if (roll < 28 || task === null) return this.#createTask();
    const current = this.#tasks.get(task)!;
    if (roll < 46) return this.#moveTask(task, current);
    if (roll < 62) return this.#editTask(task, current);
    if (roll < 72) return this.#addComment(task, current);
    if (roll < 76 && current.comments.length > 0) return this.#changeComment(task, current);
    if (roll < 84) return this.#toggleTask(task, current);
    if (roll < 86) {
      const snapshot = this.#taskNow(task);
      if (snapshot !== undefined) this.#deleted.push({ taskId: task, sim: current, task: snapshot });
      this.#tasks.delete(task);
      return this.#emit({ type: 'TaskDeleted', data: { taskId: task } });
    }
    if (roll < 87) return this.#reinstate() ?? this.#createTask();
    return this.#changeBoard();
  }

  #emit(event: BoardEvent): Envelope {
    return this.stream.emit(event, { actorId: this.#pick(this.#members.slice(0, 2)) });
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  #createTask(): Envelope {
    const taskId = randomUUID();
    const columnId = this.#pick(this.#columns);
    const position = `t${(this.#counter += 1).toString(36).padStart(4, '0')}`;
    const assignees = this.#random() < 0.5 ? [this.#pick(this.#members)] : [];
    const taskLabels = this.#random() < 0.4 ? [this.#pick(labels)] : [];
    const dueDate =
      this.#random() < 0.3 ? new Date(Date.UTC(2026, 5, 1 + Math.floor(this.#random() * 60), 12)).toISOString() : null;
    this.#tasks.set(taskId, {
      columnId,
      position,
      status: 'open',
      archived: false,
      assignees,
      labels: taskLabels,
      comments: [],
    });
    return this.#emit({
      type: 'TaskCreated',
      data: {
        taskId,
        columnId,
        position,
        title: this.#pick(texts),
        description: this.#random() < 0.5 ? this.#pick(texts) : '',
        priority: this.#pick(priorities),
        dueDate,
        assigneeIds: assignees,
        labels: taskLabels,
      },
    });
  }

  #moveTask(taskId: string, task: SimTask): Envelope {
    const toColumnId = this.#pick(this.#columns);
    const position = `m${(this.#counter += 1).toString(36).padStart(4, '0')}`;
    const event = this.#emit({
      type: 'TaskMoved',
      data: { taskId, fromColumnId: task.columnId, fromPosition: task.position, toColumnId, position },
    });
    Object.assign(task, { columnId: toColumnId, position });
    return event;
  }

  #editTask(taskId: string, task: SimTask): Envelope {
    const roll = this.#random() * 8;
    if (roll < 2) return this.#emit({ type: 'TaskTitleChanged', data: { taskId, title: this.#pick(texts) } });
    if (roll < 3)
      return this.#emit({ type: 'TaskDescriptionChanged', data: { taskId, description: this.#pick(texts) } });
    if (roll < 4)
      return this.#emit({ type: 'TaskPriorityChanged', data: { taskId, priority: this.#pick(priorities) } });
    if (roll < 5) {
      const dueDate =
        this.#random() < 0.3 ? null : new Date(Date.UTC(2026, 6, 1 + Math.floor(this.#random() * 60))).toISOString();
      return this.#emit({ type: 'TaskDueDateChanged', data: { taskId, dueDate } });
    }
    if (roll < 6.5) {
      const userId = this.#pick(this.#members);
      if (task.assignees.includes(userId)) {
        task.assignees = task.assignees.filter((id) => id !== userId);
        return this.#emit({ type: 'TaskUnassigned', data: { taskId, userId } });
      }
      task.assignees.push(userId);
      return this.#emit({ type: 'TaskAssigned', data: { taskId, userId } });
    }
    const label = this.#pick(labels);
    if (task.labels.includes(label)) {
      task.labels = task.labels.filter((name) => name !== label);
      return this.#emit({ type: 'TaskLabelRemoved', data: { taskId, label } });
    }
    task.labels.push(label);
    return this.#emit({ type: 'TaskLabelAdded', data: { taskId, label } });
  }

  #addComment(taskId: string, task: SimTask): Envelope {
    const commentId = randomUUID();
    task.comments.push(commentId);
    return this.#emit({ type: 'CommentAdded', data: { taskId, commentId, body: this.#pick(texts) } });
  }

  #changeComment(taskId: string, task: SimTask): Envelope {
    const commentId = this.#pick(task.comments);
    if (this.#random() < 0.7)
      return this.#emit({ type: 'CommentEdited', data: { taskId, commentId, body: this.#pick(texts) } });
    task.comments = task.comments.filter((id) => id !== commentId);
    const comment = this.#taskNow(taskId)?.comments[commentId];
    if (comment !== undefined) this.#deletedComments.push({ taskId, comment });
    return this.#emit({ type: 'CommentDeleted', data: { taskId, commentId } });
  }

  #toggleTask(taskId: string, task: SimTask): Envelope {
    if (this.#random() < 0.7) {
      task.status = task.status === 'open' ? 'completed' : 'open';
      return this.#emit({ type: task.status === 'completed' ? 'TaskCompleted' : 'TaskReopened', data: { taskId } });
    }
    task.archived = !task.archived;
    return this.#emit({ type: task.archived ? 'TaskArchived' : 'TaskRestored', data: { taskId } });
  }

  #changeBoard(): Envelope {
    const roll = this.#random() * 9;
    const columnId = this.#pick(this.#columns);
    if (roll < 1) return this.#emit({ type: 'BoardRenamed', data: { name: this.#pick(texts) } });
    if (roll < 2) return this.#emit({ type: 'BoardDescriptionChanged', data: { description: this.#pick(texts) } });
    if (roll < 3) return this.#emit({ type: 'ColumnRenamed', data: { columnId, name: this.#pick(texts) } });
    if (roll < 4)
      return this.#emit({ type: 'ColumnWipLimitSet', data: { columnId, wipLimit: this.#random() < 0.5 ? null : 3 } });
    if (roll < 5)
      return this.#emit({
        type: 'ColumnMoved',
        data: { columnId, from: 'c', position: `c${(this.#counter += 1).toString(36)}` },
      });
    if (roll < 6.5) {
      const userId = randomUUID();
      this.#members.push(userId);
      return this.#emit({ type: 'MemberAdded', data: { userId, role: this.#pick(roles) } });
    }
    const userId = this.#members[2 + Math.floor(this.#random() * (this.#members.length - 2))]!;
    return this.#emit({ type: 'MemberRoleChanged', data: { userId, from: 'viewer', role: this.#pick(roles) } });
  }
}

export interface BoardHistoriesOptions {
  readonly boards: number;
  /** Events of each board after its opening (board, 3 members, 3 columns = 7 events). */
  readonly eventsPerBoard: number;
  readonly seed?: number;
  /** Instant of each board's first event (then one second per event). */
  readonly start?: string;
}

/** Realistic histories of several boards (see `BoardSimulation`), one array per board in revision order. */
export function boardHistories(options: BoardHistoriesOptions): Envelope[][] {
  const random = seededRandom(options.seed ?? 1);
  return Array.from({ length: options.boards }, () => {
    const board = new BoardSimulation(random, options.start ?? '2026-01-01T09:00:00.000Z');
    const events = board.opening();
    for (let n = 0; n < options.eventsPerBoard; n += 1) events.push(board.next());
    return events;
  });
}

/**
 * Appends histories to the store the way many users would: boards take turns, `chunk` events per
 * append, so the global feed interleaves boards. Keeps every event's id, actor and instant.
 */
export async function appendHistories(
  store: EventStore,
  histories: readonly (readonly Envelope[])[],
  chunk = 20,
): Promise<number> {
  let appended = 0;
  const offsets = histories.map(() => 0);
  for (let more = true; more;) {
    more = false;
    for (const [index, history] of histories.entries()) {
      const offset = offsets[index]!;
      const slice = history.slice(offset, offset + chunk);
      if (slice.length === 0) continue;
      more = true;
      offsets[index] = offset + slice.length;
      await store.appendToStream(
        boardStreamId(slice[0]!.boardId),
        slice.map((event) => toEventToAppend(event, event.id, event)),
        { expectedRevision: offset === 0 ? 'no_stream' : BigInt(offset - 1) },
      );
      appended += slice.length;
    }
  }
  return appended;
}

/**
 * Waits until the store's feed (`readAll`) shows `count` board events. The feed shows a transaction
 * only once every older one on the server has ended (docs/architecture.md), so another database's
 * long transaction on a shared server holds fresh appends back for a while.
 */
export async function feedShows(store: EventStore, count: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => (await store.readAll({ streamPrefix: boardStreamPrefix })).length >= count,
    `the feed to show ${count} events`,
    timeoutMs,
  );
}
