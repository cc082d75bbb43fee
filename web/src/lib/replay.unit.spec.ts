import { describe, expect, it } from 'vitest';
import { foldBoard, type Envelope } from '@primetrade/domain';
import { BoardReplay } from './replay.svelte.js';

const boardId = '00000000-0000-4000-8000-000000000001';
let revision = -1;
const at = (type: string, data: unknown): Envelope =>
  ({
    type,
    data,
    id: `e${revision + 1}`,
    boardId,
    revision: ++revision,
    position: String(revision).padStart(8, '0'),
    occurredAt: `2026-01-01T00:00:${String(revision % 60).padStart(2, '0')}.000Z`,
    actorId: 'owner',
    correlationId: 'c',
    causationId: null,
    schemaVersion: 1,
  }) as unknown as Envelope;

const events: Envelope[] = [
  at('BoardCreated', { boardId, name: 'Launch', description: '' }),
  at('MemberAdded', { userId: 'owner', role: 'owner' }),
  at('ColumnAdded', { columnId: 'todo', name: 'To do', position: 'a0', isDone: false, wipLimit: null }),
  at('TaskCreated', {
    taskId: 't1',
    columnId: 'todo',
    position: 'a0',
    title: 'First',
    description: '',
    assigneeIds: [],
    labels: [],
    priority: 'medium',
    dueDate: null,
  }),
];
for (let n = 0; n < 600; n += 1) events.push(at('TaskTitleChanged', { taskId: 't1', title: `Title ${n}` }));

describe('BoardReplay', () => {
  const pages = (after: number) =>
    Promise.resolve({
      events: events.filter((event) => event.revision > after).slice(0, 100),
      revision: events.length - 1,
    });

  it('loads every page and starts at the newest revision', async () => {
    const replay = new BoardReplay();
    await replay.load(pages);
    expect(replay.head).toBe(events.length - 1);
  });

  it('keeps every event of a page: one request per page, not per event', async () => {
    const replay = new BoardReplay();
    let requests = 0;
    await replay.load((after) => {
      requests += 1;
      return pages(after);
    });
    expect(replay.head).toBe(events.length - 1);
    expect(requests).toBeLessThanOrEqual(Math.ceil(events.length / 100) + 1);
    expect(replay.revision).toBe(events.length - 1);
    expect(replay.loading).toBe(false);
  });

  it('equals a fresh fold of the prefix at every revision, snapshots or not', async () => {
    const replay = new BoardReplay();
    await replay.load(pages);
    for (const target of [0, 3, 249, 250, 251, 499, 500, 603]) {
      replay.go(target);
      expect(replay.state).toEqual(foldBoard(events.slice(0, target + 1)));
    }
  });

  it('shows the cards of the board then, and says what the event did', async () => {
    const replay = new BoardReplay();
    await replay.load(pages);
    replay.go(3);
    expect(replay.tasksByColumn.get('todo')?.map((task) => task.title)).toEqual(['First']);
    replay.go(4);
    expect(replay.tasksByColumn.get('todo')?.map((task) => task.title)).toEqual(['Title 0']);
    expect(replay.entry?.summary).toContain('Title 0');
  });

  it('clamps a jump outside the history and reports a failed load', async () => {
    const replay = new BoardReplay();
    await replay.load(pages);
    replay.go(10_000);
    expect(replay.revision).toBe(events.length - 1);
    replay.go(-5);
    expect(replay.revision).toBe(0);
    const failing = new BoardReplay();
    await failing.load(() => Promise.reject(new Error('offline')));
    expect(failing.error).toBe('offline');
  });
});
