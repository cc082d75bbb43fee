import type { Envelope, NotificationKind } from '@primetrade/domain';
import { handlesOf, mentionedHandles } from './handles.js';

/**
 * Who is notified of an event, and how (issue 5, docs/api.md "Notifications"): a pure function of the
 * event and the board as it was just BEFORE the event, read from the read models by the caller.
 */

/** A current member of the board with an active account. */
export interface MemberAccount {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
}

/** The task before the event: who follows it automatically. */
export interface TaskBefore {
  readonly title: string;
  readonly createdBy: string;
  readonly assigneeIds: readonly string[];
  /** Authors of its current comments. */
  readonly commenterIds: readonly string[];
}

export interface NotificationContext {
  readonly members: readonly MemberAccount[];
  /** Null when the task is not (or no longer) in the read models. */
  readonly task: TaskBefore | null;
  /** Explicit choices: true follows, false opts out of following automatically. */
  readonly follows: ReadonlyMap<string, boolean>;
  /** CommentEdited: the body before the edit (only mentions it did not have notify). */
  readonly previousCommentBody: string | null;
}

export interface Recipient {
  readonly userId: string;
  readonly kind: NotificationKind;
}

/** Events that notify followers, with the words for the change ("<actor> moved “T”"). */
const followedChanges: Readonly<Record<string, string>> = {
  TaskTitleChanged: 'renamed',
  TaskDescriptionChanged: 'changed the description of',
  TaskMoved: 'moved',
  TaskAssigned: 'changed the assignees of',
  TaskUnassigned: 'changed the assignees of',
  TaskLabelAdded: 'changed the labels of',
  TaskLabelRemoved: 'changed the labels of',
  TaskPriorityChanged: 'changed the priority of',
  TaskDueDateChanged: 'changed the due date of',
  TaskCompleted: 'completed',
  TaskReopened: 'reopened',
  TaskArchived: 'archived',
  TaskRestored: 'restored',
  TaskDeleted: 'deleted',
  CommentAdded: 'commented on',
  TaskReinstated: 'brought back',
  CommentReinstated: 'brought back a comment on',
};

/** Event types that may notify someone: the caller loads a context only for these. */
export const mayNotify = (event: Envelope): boolean =>
  event.type in followedChanges ||
  event.type === 'CommentEdited' ||
  (event.type === 'TaskCreated' && event.data.assigneeIds.some((userId) => userId !== event.actorId));

/** The most specific kind wins when one person qualifies several times for one event. */
export const specificity: Readonly<Record<NotificationKind, number>> = {
  assigned: 3,
  mentioned: 2,
  due_soon: 1,
  followed: 0,
};

/** Followers: creator, assignees and commenters automatically, plus explicit follows, minus opt-outs. */
export function followersOf(task: TaskBefore | null, follows: ReadonlyMap<string, boolean>): Set<string> {
  const followers = new Set(task ? [task.createdBy, ...task.assigneeIds, ...task.commenterIds] : []);
  for (const [userId, following] of follows) {
    if (following) followers.add(userId);
    else followers.delete(userId);
  }
  return followers;
}

function mentionedMembers(text: string, members: readonly MemberAccount[], previous: string | null): string[] {
  const handles = mentionedHandles(text);
  const before = previous === null ? new Set<string>() : mentionedHandles(previous);
  const isNew = (handle: string) => handles.has(handle) && !before.has(handle);
  const membersMentionedBefore = new Set(
    members.filter((member) => handlesOf(member).some((handle) => before.has(handle))).map((member) => member.userId),
  );
  return members
    .filter((member) => handlesOf(member).some(isNew) && !membersMentionedBefore.has(member.userId))
    .map((member) => member.userId);
}

/** The candidates by kind, before the rules that apply to everyone (member, not the actor, one each). */
function candidates(event: Envelope, context: NotificationContext): Recipient[] {
  const all: Recipient[] = [];
  const add = (kind: NotificationKind, userIds: Iterable<string>) => {
    for (const userId of userIds) all.push({ userId, kind });
  };
  if (event.type === 'TaskCreated') add('assigned', event.data.assigneeIds);
  if (event.type === 'TaskAssigned') add('assigned', [event.data.userId]);
  if (event.type === 'CommentAdded') add('mentioned', mentionedMembers(event.data.body, context.members, null));
  if (event.type === 'CommentEdited')
    add('mentioned', mentionedMembers(event.data.body, context.members, context.previousCommentBody));
  if (event.type in followedChanges) add('followed', followersOf(context.task, context.follows));
  return all;
}

/**
 * One recipient per person at most, with the most specific kind; never the actor; only current
 * members of the board with an active account (a removed member hears nothing more).
 */
export function recipientsOf(event: Envelope, context: NotificationContext): Recipient[] {
  const members = new Set(context.members.map((member) => member.userId));
  const chosen = new Map<string, NotificationKind>();
  for (const { userId, kind } of candidates(event, context)) {
    if (userId === event.actorId || !members.has(userId)) continue;
    const current = chosen.get(userId);
    if (current === undefined || specificity[kind] > specificity[current]) chosen.set(userId, kind);
  }
  return [...chosen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([userId, kind]) => ({ userId, kind }));
}

const quoted = (title: string): string => `“${title}”`;

/** The sentence shown after the actor's name, e.g. `assigned you to “Write the post”`. */
export function summaryOf(kind: NotificationKind, eventType: string | null, taskTitle: string): string {
  switch (kind) {
    case 'assigned':
      return `assigned you to ${quoted(taskTitle)}`;
    case 'mentioned':
      return `mentioned you on ${quoted(taskTitle)}`;
    case 'due_soon':
      return `${quoted(taskTitle)} is due within 24 hours`;
    case 'followed':
      return `${followedChanges[eventType ?? ''] ?? 'changed'} ${quoted(taskTitle)}`;
  }
}
