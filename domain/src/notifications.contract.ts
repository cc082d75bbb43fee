/**
 * Notifications (issue 5): what `GET /notifications` lists and the `notification` socket event
 * carries (docs/api.md). Shared with the web client.
 */
export type NotificationKind = 'assigned' | 'mentioned' | 'due_soon' | 'followed';
export const notificationKinds = [
  'assigned',
  'mentioned',
  'due_soon',
  'followed',
] as const satisfies readonly NotificationKind[];

export interface NotificationDto {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly boardId: string;
  readonly taskId: string;
  readonly taskTitle: string;
  /** Who made the change; null for due_soon (the clock). */
  readonly actorId: string | null;
  /** The actor's current display name; null when there is no actor or the account is gone. */
  readonly actorName: string | null;
  /** A short sentence without the actor's name, e.g. `assigned you to “Write the post”`. */
  readonly summary: string;
  /** ISO 8601: when the change happened (or when the due-soon scan found the task). */
  readonly createdAt: string;
  readonly readAt: string | null;
}
