import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { searchTouches } from './searchTouches.js';

describe('searchTouches', () => {
  it('names, per board, every task whose document a batch may change, and the batch’s last revision', () => {
    const one = new BoardStream();
    const two = new BoardStream();
    const column = randomUUID();
    const created = one.createTask(column, { title: 'A' });
    const taskId = created.data.taskId;
    const events = [
      ...one.create(),
      created,
      two.create()[0]!,
      one.emit({ type: 'CommentAdded', data: { taskId, commentId: randomUUID(), body: 'x' } }),
      one.emit({ type: 'ColumnRenamed', data: { columnId: column, name: 'Doing' } }),
      two.addMember(randomUUID()),
      one.emit({ type: 'TaskDeleted', data: { taskId: 'other-task' } }),
    ];
    expect(searchTouches(events)).toEqual([
      { boardId: one.boardId, fromRevision: 0, revision: one.revision, taskIds: [taskId, 'other-task'].sort() },
      { boardId: two.boardId, fromRevision: 0, revision: two.revision, taskIds: [] },
    ]);
  });

  it('takes a redelivered copy for what it is: the same touch', () => {
    const stream = new BoardStream();
    const events = [...stream.create(), stream.createTask(randomUUID())];
    expect(searchTouches([...events, ...events])).toEqual(searchTouches(events));
  });
});
