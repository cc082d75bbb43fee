import { randomUUID } from 'node:crypto';
import type { BoardEvent } from '@primetrade/domain';
import { DomainError } from '@primetrade/domain';
import type { SearchIndex } from '@primetrade/read-model';

/**
 * Board events as commands would append them, for the search feed's tests: a board with an owner and
 * a member, tasks created, edited, commented, moved, completed, archived and deleted, and a member
 * who leaves after being unassigned.
 */
export class SearchWorkload {
  readonly boardId = randomUUID();
  readonly ownerId = randomUUID();
  readonly memberId = randomUUID();
  readonly columns = [randomUUID(), randomUUID()] as const;
  readonly tasks: string[] = [];
  #step = 0;

  opening(name = 'Roadmap'): BoardEvent[] {
    return [
      { type: 'BoardCreated', data: { boardId: this.boardId, name, description: '' } },
      { type: 'MemberAdded', data: { userId: this.ownerId, role: 'owner' } },
      { type: 'MemberAdded', data: { userId: this.memberId, role: 'editor' } },
      ...this.columns.map((columnId, n): BoardEvent => ({
        type: 'ColumnAdded',
        data: { columnId, name: `Column ${n}`, position: `c${n}`, isDone: n === 1, wipLimit: null },
      })),
    ];
  }

  /** The next few events: mostly new tasks, and edits of the earlier ones in a fixed rotation. */
  next(): BoardEvent[] {
    const step = (this.#step += 1);
    const taskId = randomUUID();
    this.tasks.push(taskId);
    const created: BoardEvent = {
      type: 'TaskCreated',
      data: {
        taskId,
        columnId: this.columns[0],
        position: `t${String(step).padStart(6, '0')}`,
        title: `Walrus report ${step}`,
        description: `quarterly figures ${step}`,
        priority: 'medium',
        dueDate: null,
        assigneeIds: [this.memberId],
        labels: ['finance'],
      },
    };
    const earlier = this.tasks[Math.floor(this.tasks.length / 2)] as string;
    const edits: BoardEvent[][] = [
      [{ type: 'TaskTitleChanged', data: { taskId: earlier, title: `Renamed walrus ${step}` } }],
      [{ type: 'CommentAdded', data: { taskId: earlier, commentId: randomUUID(), body: `narwhal ${step}` } }],
      [{ type: 'TaskLabelAdded', data: { taskId: earlier, label: `l${step}` } }],
      [{ type: 'TaskArchived', data: { taskId: earlier } }],
      [{ type: 'TaskDeleted', data: { taskId: earlier } }],
    ];
    const edit = this.tasks.length > 1 ? (edits[step % edits.length] ?? []) : [];
    if (edit[0]?.type === 'TaskDeleted' || edit[0]?.type === 'TaskArchived')
      this.tasks.splice(this.tasks.indexOf(earlier), 1);
    return [created, ...edit];
  }

  /** The member leaves: unassigned from every task first, as the domain does. */
  memberLeaves(): BoardEvent[] {
    return [
      ...this.tasks.map((taskId): BoardEvent => ({ type: 'TaskUnassigned', data: { taskId, userId: this.memberId } })),
      { type: 'MemberRemoved', data: { userId: this.memberId } },
    ];
  }
}

/** An index whose writes fail as an unreachable engine's do while `down` is true (reads pass through). */
export function switchableIndex(index: SearchIndex): SearchIndex & { down: boolean; failedWrites: number } {
  const switchable = {
    ...index,
    down: false,
    failedWrites: 0,
    async apply(changes: Parameters<SearchIndex['apply']>[0]) {
      if (switchable.down) {
        switchable.failedWrites += 1;
        throw new DomainError('SERVICE.UNAVAILABLE', 'The search engine is unavailable right now; try again shortly');
      }
      await index.apply(changes);
    },
  };
  return switchable;
}
