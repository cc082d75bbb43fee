import type { NotificationDto, NotificationKind } from '@primetrade/domain';

/** A stored `notifications` row with its actor's name, as the projector inserts it and the API lists it. */
export interface NotificationRow {
  id: string;
  user_id: string;
  kind: NotificationKind;
  board_id: string;
  task_id: string;
  actor_id: string | null;
  actor_name: string | null;
  task_title: string;
  summary: string;
  created_at: string | Date;
}

/** A new notification and whom it is for. */
export interface NewNotification {
  readonly userId: string;
  readonly notification: NotificationDto;
}

const isoOf = (value: string | Date): string => new Date(value).toISOString();

/** One row → the DTO the API lists and the projector pushes (one mapping for both). */
export function toNewNotification(row: NotificationRow & { read_at?: string | Date | null }): NewNotification {
  return {
    userId: row.user_id,
    notification: {
      id: row.id,
      kind: row.kind,
      boardId: row.board_id,
      taskId: row.task_id,
      taskTitle: row.task_title,
      actorId: row.actor_id,
      actorName: row.actor_name,
      summary: row.summary,
      createdAt: isoOf(row.created_at),
      readAt: row.read_at ? isoOf(row.read_at) : null,
    },
  };
}
