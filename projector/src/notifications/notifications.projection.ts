import { randomUUID } from 'node:crypto';
import type { Envelope, NotificationKind } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import {
  isUuid,
  toNewNotification,
  type NewNotification,
  type NotificationRow as StoredRow,
} from '@primetrade/read-model';
import { projectEvents } from '../projections/index.js';
import { accountsOf, followMembership } from './memberAccounts.js';
import {
  mayNotify,
  recipientsOf,
  specificity,
  summaryOf,
  type MemberAccount,
  type NotificationContext,
  type TaskBefore,
} from './recipients.js';

export type { NewNotification };

/**
 * The live projector's writes (docs/architecture.md): the read models, plus the notifications the
 * events cause, in the same transaction. Only the live path runs this; a rebuild projects the read
 * models alone (`rebuild.ts`), so replaying history never notifies anyone again (ADR 0011).
 */
export interface NotifyOptions {
  /** Queue an e-mail per new notification (SMTP configured). */
  readonly mail: boolean;
}

/** What is stored and pushed: the DTO, and what the planner knew of the event. */
interface PlannedNotification {
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly event: Envelope;
  readonly taskId: string;
  readonly taskTitle: string;
  /** The event type whose words describe the change; null: several changes ("changed"). */
  readonly changeType: string | null;
}

/**
 * Projects `events` and returns the notifications that were new (a redelivered event inserts none).
 * Before each event that may notify someone, the events before it are written (set-based, as one
 * batch), so the context read from the read models is the board just before that event. The member
 * accounts of the batch's boards are read once, before any write, and follow the batch's membership
 * changes in memory. Where no member but the actor has an account, nobody can be notified and the
 * events go through without any extra read or split.
 */
export function projectWithNotifications(options: NotifyOptions) {
  return async (tx: SqlQueryable, events: readonly Envelope[]): Promise<NewNotification[]> => {
    const planned: PlannedNotification[] = [];
    const accounts = await accountsOf(tx, events);
    let pending: Envelope[] = [];
    const flush = async () => {
      await projectEvents(tx, pending);
      pending = [];
    };
    for (const event of events) {
      const members = accounts.members.get(event.boardId) ?? [];
      if (mayNotify(event) && members.some((member) => member.userId !== event.actorId)) {
        await flush();
        planned.push(...(await plan(tx, event, members)));
      }
      followMembership(accounts, event);
      pending.push(event);
    }
    await flush();
    return storeNotifications(tx, onePerCommand(planned), options);
  };
}

/** The task an event is about (every event that may notify has one). */
function taskIdOf(event: Envelope): string | null {
  const data = event.data as { taskId?: unknown };
  return typeof data.taskId === 'string' ? data.taskId : null;
}

/** The task's title after the event, for the message. */
function titleAfter(event: Envelope, task: TaskBefore | null): string | null {
  if (event.type === 'TaskCreated' || event.type === 'TaskTitleChanged') return event.data.title;
  return task?.title ?? null;
}

/** An undone delete: the task is gone from the read models, its snapshot says who followed it. */
function withReinstatedTask(event: Envelope, context: NotificationContext): NotificationContext {
  if (event.type !== 'TaskReinstated') return context;
  const { title, createdBy, assigneeIds, comments } = event.data.task;
  const commenterIds = [...new Set(Object.values(comments).map((comment) => comment.authorId))];
  return { ...context, task: { title, createdBy, assigneeIds, commenterIds } };
}

async function plan(
  tx: SqlQueryable,
  event: Envelope,
  members: readonly MemberAccount[],
): Promise<PlannedNotification[]> {
  const taskId = taskIdOf(event);
  if (taskId === null) return [];
  const context = withReinstatedTask(event, await loadContext(tx, event, taskId, members));
  const taskTitle = titleAfter(event, context.task);
  // An event on a task the read models do not hold changes nothing there (evolve ignores it).
  if (taskTitle === null) return [];
  return recipientsOf(event, context).map((recipient) => ({
    ...recipient,
    event,
    taskId,
    taskTitle,
    changeType: event.type,
  }));
}

/**
 * One notification per person, task and command (events of one command share a correlation id): a
 * form that changes five fields at once is one change to its followers. The most specific kind wins;
 * the latest title is shown; several followed changes read "changed". The stored row is keyed by
 * person, task and correlation id, so a redelivery that splits the command differently (its first
 * events already committed) inserts nothing more and mails nothing more; it keeps what the first
 * delivery stored, even where the rest of the command would have made it more specific.
 */
function onePerCommand(planned: readonly PlannedNotification[]): PlannedNotification[] {
  const chosen = new Map<string, PlannedNotification>();
  for (const item of planned) {
    const key = `${item.userId}|${item.taskId}|${item.event.correlationId}`;
    const current = chosen.get(key);
    if (!current) {
      chosen.set(key, item);
      continue;
    }
    const winner =
      specificity[item.kind] > specificity[current.kind]
        ? { ...current, kind: item.kind, changeType: item.changeType }
        : current;
    const several = winner.kind === 'followed' && current.changeType !== item.changeType;
    chosen.set(key, { ...winner, taskTitle: item.taskTitle, changeType: several ? null : winner.changeType });
  }
  return [...chosen.values()];
}

interface ContextRow {
  task: { title: string; createdBy: string; assigneeIds: string[]; commenterIds: string[] } | null;
  follows: { userId: string; following: boolean }[];
  previous_body: string | null;
}

/** The rest of what `recipientsOf` needs, in one round trip. */
async function loadContext(
  tx: SqlQueryable,
  event: Envelope,
  taskId: string,
  members: readonly MemberAccount[],
): Promise<NotificationContext> {
  const commentId = event.type === 'CommentEdited' ? event.data.commentId : null;
  const [row] = await tx.query<ContextRow>(
    `SELECT
       (SELECT json_build_object('title', t.title, 'createdBy', t.created_by, 'assigneeIds', t.assignee_ids,
               'commenterIds', (SELECT coalesce(json_agg(DISTINCT c.author_id), '[]'::json) FROM comments c WHERE c.task_id = t.id))
          FROM tasks t WHERE t.id = $2::uuid AND t.board_id = $1::uuid) AS task,
       (SELECT coalesce(json_agg(json_build_object('userId', f.user_id, 'following', f.following)), '[]'::json)
          FROM task_follows f WHERE f.task_id = $2::uuid) AS follows,
       (SELECT c.body FROM comments c WHERE c.id = $3::uuid AND c.task_id = $2::uuid) AS previous_body`,
    [event.boardId, taskId, commentId],
  );
  return {
    members,
    task: row?.task ?? null,
    follows: new Map((row?.follows ?? []).map((follow) => [follow.userId, follow.following])),
    previousCommentBody: row?.previous_body ?? null,
  };
}

/** A row for `insertNotifications`. */
export interface NotificationInsert {
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly boardId: string;
  readonly taskId: string;
  /** The causing event; null for due_soon. */
  readonly eventId: string | null;
  /** The causing command (the event's correlation id): one notification per person, task and command; null for due_soon. */
  readonly correlationId: string | null;
  readonly actorId: string | null;
  /** due_soon: the due date warned about. */
  readonly dueDate: string | null;
  readonly taskTitle: string;
  readonly createdAt: string;
  /** The causing event's type (the words of a `followed` summary). */
  readonly eventType?: string | null;
}

/**
 * Inserts notifications and, with `mail`, their outbox rows; returns only the new ones: the unique
 * (user, event), (user, task, command) and (user, task, due date) keys drop what a redelivery or a
 * second scan repeats, so only new rows are queued for mail.
 */
export async function insertNotifications(
  tx: SqlQueryable,
  items: readonly NotificationInsert[],
  options: NotifyOptions,
): Promise<NewNotification[]> {
  if (items.length === 0) return [];
  const column = <T>(pick: (item: NotificationInsert) => T): T[] => items.map(pick);
  const rows = await tx.query<StoredRow>(
    `WITH inserted AS (
       INSERT INTO notifications (id, user_id, kind, board_id, task_id, event_id, actor_id, due_date, task_title, summary, created_at, correlation_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::timestamptz[], $9::text[], $10::text[], $11::timestamptz[], $12::text[])
       ON CONFLICT DO NOTHING
       RETURNING *
     )
     SELECT i.*, u.name AS actor_name FROM inserted i LEFT JOIN users u ON u.id = i.actor_id`,
    [
      column(() => randomUUID()),
      column((item) => item.userId),
      column((item) => item.kind),
      column((item) => item.boardId),
      column((item) => item.taskId),
      column((item) => item.eventId),
      column((item) => item.actorId),
      column((item) => item.dueDate),
      column((item) => item.taskTitle),
      column((item) => summaryOf(item.kind, item.eventType ?? null, item.taskTitle)),
      column((item) => item.createdAt),
      column((item) => item.correlationId),
    ],
  );
  if (options.mail)
    await queueMails(
      tx,
      rows.map((row) => row.id),
    );
  return rows.map(toNewNotification);
}

function storeNotifications(
  tx: SqlQueryable,
  planned: readonly PlannedNotification[],
  options: NotifyOptions,
): Promise<NewNotification[]> {
  return insertNotifications(
    tx,
    planned.map((item) => ({
      userId: item.userId,
      kind: item.kind,
      boardId: item.event.boardId,
      taskId: item.taskId,
      eventId: item.event.id,
      correlationId: item.event.correlationId,
      eventType: item.changeType,
      actorId: isUuid(item.event.actorId) ? item.event.actorId : null,
      dueDate: null,
      taskTitle: item.taskTitle,
      createdAt: item.event.occurredAt,
    })),
    options,
  );
}

/** Queues an e-mail for each notification (sent by the mail worker, `mailOutbox.ts`). */
export async function queueMails(tx: SqlQueryable, notificationIds: readonly string[]): Promise<void> {
  if (notificationIds.length === 0) return;
  await tx.query(
    `INSERT INTO notification_mails (notification_id, next_attempt_at) SELECT id, now() FROM unnest($1::uuid[]) AS ids (id)
     ON CONFLICT DO NOTHING`,
    [notificationIds],
  );
}
