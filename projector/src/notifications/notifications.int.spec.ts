import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import { createSqlEventStore, type Sql } from '@primetrade/platform';
import { applyEnvelopes as applyLive, type ProjectEvents } from '../applyBatch.js';
import { listNotifications, setTaskFollow, readModelBackends } from '@primetrade/read-model';
import { rebuildReadModels } from '../rebuild.js';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { appendHistories, feedShows } from '../testing/boardHistory.testkit.js';
import { notifyDueSoon } from './dueSoon.js';
import { projectWithNotifications } from './notifications.projection.js';

interface Person {
  id: string;
  name: string;
}

async function createAccount(sql: Sql, name: string): Promise<Person> {
  const id = randomUUID();
  await sql.query("INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, 'hash', 'user')", [
    id,
    `${name.toLowerCase()}.${id.slice(0, 6)}@example.test`,
    name,
  ]);
  return { id, name };
}

const rowsOf = (sql: Sql, userId: string) =>
  sql.query<{ kind: string; task_title: string; summary: string; actor_id: string | null }>(
    'SELECT kind, task_title, summary, actor_id FROM notifications WHERE user_id = $1 ORDER BY created_at, id',
    [userId],
  );

/** Every board's history as delivered in this file, for the store the rebuild replays. */
const delivered = new Map<string, Map<string, Envelope>>();
function applyEnvelopes(sql: Sql, events: readonly Envelope[], project?: ProjectEvents) {
  for (const event of events) {
    const history = delivered.get(event.boardId) ?? new Map<string, Envelope>();
    delivered.set(event.boardId, history.set(event.id, event));
  }
  return applyLive(sql, events, project);
}

describe.each(readModelBackends('notify'))('Notifications projected on $name', ({ open }) => {
  let sql: Sql;
  let drop: () => Promise<void>;
  let ada: Person, bob: Person, cy: Person;
  let board: BoardStream;
  let columnId: string;
  let setup: Envelope[];

  beforeAll(async () => {
    const database = await open();
    sql = database.sql;
    drop = () => database.drop();
  });
  afterAll(() => drop());

  beforeEach(async () => {
    [ada, bob, cy] = [await createAccount(sql, 'Ada'), await createAccount(sql, 'Bob'), await createAccount(sql, 'Cy')];
    board = new BoardStream({ ownerId: ada.id });
    setup = [...board.create(), board.addMember(bob.id), board.addMember(cy.id)];
    const column = board.addColumn('To do');
    columnId = column.data.columnId;
    setup.push(column);
  });

  it('notifies the assignee once, even when the batch is delivered twice', async () => {
    const created = board.createTask(columnId, { title: 'Write the post', assigneeIds: [bob.id], actorId: ada.id });
    const first = await applyEnvelopes(sql, [...setup, created]);
    const second = await applyEnvelopes(sql, [...setup, created]);

    expect(
      first.notifications.map((item) => [item.userId, item.notification.kind, item.notification.actorName]),
    ).toEqual([[bob.id, 'assigned', 'Ada']]);
    expect(second).toMatchObject({ applied: 0, notifications: [] });
    expect(await rowsOf(sql, bob.id)).toEqual([
      { kind: 'assigned', task_title: 'Write the post', summary: 'assigned you to “Write the post”', actor_id: ada.id },
    ]);
  });

  it('never notifies the actor of their own change', async () => {
    const created = board.createTask(columnId, { assigneeIds: [ada.id], actorId: ada.id });
    const moved = board.emit({ type: 'TaskCompleted', data: { taskId: created.data.taskId } }, { actorId: ada.id });
    expect((await applyEnvelopes(sql, [...setup, created, moved])).notifications).toEqual([]);
    expect(await rowsOf(sql, ada.id)).toEqual([]);
  });

  it('reads the board as it was before each event of a batch: a comment then a change notify the commenter', async () => {
    const created = board.createTask(columnId, { title: 'T', actorId: ada.id });
    const taskId = created.data.taskId;
    const comment = board.emit(
      { type: 'CommentAdded', data: { taskId, commentId: randomUUID(), body: 'ping @cy' } },
      { actorId: bob.id },
    );
    const renamed = board.emit({ type: 'TaskTitleChanged', data: { taskId, title: 'T2' } }, { actorId: cy.id });
    const { notifications } = await applyEnvelopes(sql, [...setup, created, comment, renamed]);

    expect(
      notifications
        .map((item) => [
          item.userId === ada.id ? 'ada' : item.userId === bob.id ? 'bob' : 'cy',
          item.notification.kind,
          item.notification.summary,
        ])
        .sort(),
    ).toEqual([
      ['ada', 'followed', 'commented on “T”'],
      ['ada', 'followed', 'renamed “T2”'],
      ['bob', 'followed', 'renamed “T2”'],
      ['cy', 'mentioned', 'mentioned you on “T”'],
    ]);
  });

  it('notifies each person once per command: the most specific kind, the latest title, several changes as "changed"', async () => {
    const created = board.createTask(columnId, { title: 'Old', actorId: ada.id });
    await applyEnvelopes(sql, [...setup, created]);
    const taskId = created.data.taskId;
    const oneCommand = (event: Envelope): Envelope => ({ ...event, correlationId: 'one-form-save' });
    const { notifications } = await applyEnvelopes(sql, [
      oneCommand(board.emit({ type: 'TaskTitleChanged', data: { taskId, title: 'New' } }, { actorId: cy.id })),
      oneCommand(board.emit({ type: 'TaskAssigned', data: { taskId, userId: bob.id } }, { actorId: cy.id })),
      oneCommand(board.emit({ type: 'TaskPriorityChanged', data: { taskId, priority: 'high' } }, { actorId: cy.id })),
    ]);
    const byUser = new Map(notifications.map((item) => [item.userId, item.notification.summary]));
    expect(notifications).toHaveLength(2);
    expect(byUser.get(bob.id)).toBe('assigned you to “New”');
    expect(byUser.get(ada.id)).toBe('changed “New”');
  });

  it('tells the followers of a deleted task when an undo brings it back', async () => {
    const created = board.createTask(columnId, { title: 'Gone', assigneeIds: [bob.id], actorId: ada.id });
    const taskId = created.data.taskId;
    const comment = board.emit(
      { type: 'CommentAdded', data: { taskId, commentId: randomUUID(), body: 'mine' } },
      { actorId: cy.id },
    );
    await applyEnvelopes(sql, [
      ...setup,
      created,
      comment,
      board.emit({ type: 'TaskDeleted', data: { taskId } }, { actorId: ada.id }),
    ]);
    const [row] = await sql.query<{ created_at: string | Date }>('SELECT created_at FROM tasks WHERE id = $1', [
      taskId,
    ]);
    expect(row).toBeUndefined();
    const at = created.occurredAt;
    const task = {
      id: taskId,
      columnId,
      position: created.data.position,
      title: 'Gone',
      description: '',
      priority: 'medium' as const,
      dueDate: null,
      assigneeIds: [bob.id],
      labels: [],
      status: 'open' as const,
      archived: false,
      createdBy: ada.id,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
      comments: {
        [comment.data.commentId]: {
          id: comment.data.commentId,
          authorId: cy.id,
          body: 'mine',
          createdAt: comment.occurredAt,
          editedAt: null,
        },
      },
    };
    const { notifications } = await applyEnvelopes(sql, [
      board.emit({ type: 'TaskReinstated', data: { taskId, task } }, { actorId: ada.id }),
    ]);
    expect(
      notifications
        .map((item) => [
          item.userId === bob.id ? 'bob' : item.userId === cy.id ? 'cy' : 'ada',
          item.notification.summary,
        ])
        .sort(),
    ).toEqual([
      ['bob', 'brought back “Gone”'],
      ['cy', 'brought back “Gone”'],
    ]);
  });

  it('honours explicit follows and opt-outs', async () => {
    const created = board.createTask(columnId, { actorId: ada.id });
    await applyEnvelopes(sql, [...setup, created]);
    await setTaskFollow(sql, { userId: cy.id, taskId: created.data.taskId, following: true, at: new Date() });
    await setTaskFollow(sql, { userId: ada.id, taskId: created.data.taskId, following: false, at: new Date() });
    const done = board.emit({ type: 'TaskCompleted', data: { taskId: created.data.taskId } }, { actorId: bob.id });
    const { notifications } = await applyEnvelopes(sql, [done]);
    expect(notifications.map((item) => [item.userId, item.notification.kind])).toEqual([[cy.id, 'followed']]);
  });

  it('queues one e-mail per new notification when mail is on, none for a redelivery', async () => {
    const project = projectWithNotifications({ mail: true });
    const created = board.createTask(columnId, { assigneeIds: [bob.id, cy.id], actorId: ada.id });
    await applyEnvelopes(sql, [...setup, created], project);
    await applyEnvelopes(sql, [...setup, created], project);
    const [row] = await sql.query<{ count: string | number }>(
      'SELECT count(*) AS count FROM notification_mails m JOIN notifications n ON n.id = m.notification_id WHERE n.task_id = $1',
      [created.data.taskId],
    );
    expect(Number(row?.count)).toBe(2);
  });

  it('notifies and mails once per command when a redelivery splits its events differently', async () => {
    const project = projectWithNotifications({ mail: true });
    const created = board.createTask(columnId, { title: 'Old', actorId: ada.id });
    await applyEnvelopes(sql, [...setup, created], project);
    const taskId = created.data.taskId;
    const oneCommand = (event: Envelope): Envelope => ({ ...event, correlationId: `form-save-${taskId}` });
    const command = [
      oneCommand(board.emit({ type: 'TaskTitleChanged', data: { taskId, title: 'New' } }, { actorId: cy.id })),
      oneCommand(board.emit({ type: 'TaskPriorityChanged', data: { taskId, priority: 'high' } }, { actorId: cy.id })),
      oneCommand(board.emit({ type: 'TaskCompleted', data: { taskId } }, { actorId: cy.id })),
    ];
    // The first delivery commits the command's first event only; the redelivery brings all three.
    const first = await applyEnvelopes(sql, command.slice(0, 1), project);
    const redelivered = await applyEnvelopes(sql, command, project);

    expect(first.notifications.map((item) => item.userId)).toEqual([ada.id]);
    expect(redelivered).toMatchObject({ applied: 2, skipped: 1, notifications: [] });
    expect(await rowsOf(sql, ada.id)).toEqual([
      { kind: 'followed', task_title: 'New', summary: 'renamed “New”', actor_id: cy.id },
    ]);
    const [mails] = await sql.query<{ count: string | number }>(
      'SELECT count(*) AS count FROM notification_mails m JOIN notifications n ON n.id = m.notification_id WHERE n.task_id = $1',
      [taskId],
    );
    expect(Number(mails?.count)).toBe(1);
  });

  describe('the due-soon scan', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const inHours = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();

    it('warns each assignee of an open task due within 24 h once per due date', async () => {
      const soon = board.createTask(columnId, {
        title: 'Soon',
        dueDate: inHours(5),
        assigneeIds: [bob.id, ada.id],
        actorId: ada.id,
      });
      const later = board.createTask(columnId, {
        title: 'Later',
        dueDate: inHours(30),
        assigneeIds: [bob.id],
        actorId: ada.id,
      });
      const done = board.createTask(columnId, {
        title: 'Done',
        dueDate: inHours(2),
        assigneeIds: [bob.id],
        actorId: ada.id,
      });
      const past = board.createTask(columnId, {
        title: 'Past',
        dueDate: inHours(-1),
        assigneeIds: [bob.id],
        actorId: ada.id,
      });
      const completed = board.emit({ type: 'TaskCompleted', data: { taskId: done.data.taskId } }, { actorId: ada.id });
      await applyEnvelopes(sql, [...setup, soon, later, done, past, completed]);

      const first = await notifyDueSoon(sql, now, { mail: false });
      expect(
        first
          .map((item) => [item.userId === bob.id ? 'bob' : 'ada', item.notification.taskTitle, item.notification.kind])
          .sort(),
      ).toEqual([
        ['ada', 'Soon', 'due_soon'],
        ['bob', 'Soon', 'due_soon'],
      ]);
      expect(await notifyDueSoon(sql, new Date(now.getTime() + 60_000), { mail: false })).toEqual([]);

      const moved = board.emit(
        { type: 'TaskDueDateChanged', data: { taskId: soon.data.taskId, dueDate: inHours(8) } },
        { actorId: bob.id },
      );
      await applyEnvelopes(sql, [moved]);
      const again = await notifyDueSoon(sql, now, { mail: false });
      expect(again.map((item) => item.notification.taskTitle)).toEqual(['Soon', 'Soon']);
    });
  });

  it('keeps every notification through a rebuild and creates none while replaying', async () => {
    const store = await createSqlEventStore(sql, {
      schema: `es_notify_${randomUUID().slice(0, 8)}`,
      pollIntervalMs: 50,
    });
    try {
      const created = board.createTask(columnId, { assigneeIds: [bob.id], actorId: ada.id });
      const events = [
        ...setup,
        created,
        board.emit({ type: 'TaskCompleted', data: { taskId: created.data.taskId } }, { actorId: cy.id }),
      ];
      await applyEnvelopes(sql, events);
      await feedShows(
        store,
        await appendHistories(
          store,
          [...delivered.values()].map((history) => [...history.values()]),
        ),
      );
      const before = await sql.query('SELECT * FROM notifications ORDER BY id');
      await sql.query('UPDATE notifications SET read_at = now() WHERE user_id = $1', [bob.id]);
      const read = await sql.query('SELECT id, read_at FROM notifications ORDER BY id');

      await rebuildReadModels({ sql, store });

      expect(await sql.query('SELECT id, read_at FROM notifications ORDER BY id')).toEqual(read);
      expect((await sql.query('SELECT * FROM notifications ORDER BY id')).length).toBe(before.length);
      expect((await applyEnvelopes(sql, events)).notifications).toEqual([]);
      expect((await listNotifications(sql, ada.id, { limit: 10 })).items.map((item) => item.kind)).toEqual([
        'followed',
      ]);
    } finally {
      await store.close();
    }
  });
});
