import { priorities } from '@primetrade/domain';
import { z } from 'zod';
import {
  anchorMessage,
  commentBody,
  cursor,
  description,
  id,
  isoInstant,
  label,
  onlyOneAnchor,
  pageLimit,
  priority,
  taskTitle,
} from '../boards/common.schemas.js';

export const taskParams = z.object({ taskId: id });
export const commentParams = z.object({ taskId: id, commentId: id });

const assigneeIds = z.array(id).max(20);
const labels = z.array(label).max(20);
const placement = { beforeTaskId: id.optional(), afterTaskId: id.optional() };

export const createTaskBody = z
  .strictObject({
    title: taskTitle,
    description: description.optional(),
    columnId: id.optional(),
    priority: priority.optional(),
    dueDate: isoInstant.nullable().optional(),
    assigneeIds: assigneeIds.optional(),
    labels: labels.optional(),
    ...placement,
  })
  .refine(onlyOneAnchor('beforeTaskId', 'afterTaskId'), anchorMessage('beforeTaskId', 'afterTaskId'));

/** A PATCH: only the fields present change (`dueDate: null` clears it); at least one field. */
export const updateTaskBody = z
  .strictObject({
    title: taskTitle.optional(),
    description: description.optional(),
    priority: priority.optional(),
    dueDate: isoInstant.nullable().optional(),
    assigneeIds: assigneeIds.optional(),
    labels: labels.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'give at least one field' });

export const moveTaskBody = z
  .strictObject({ columnId: id, ...placement })
  .refine(onlyOneAnchor('beforeTaskId', 'afterTaskId'), anchorMessage('beforeTaskId', 'afterTaskId'));

export const taskSorts = ['position', 'createdAt', 'updatedAt', 'dueDate', 'priority', 'title'] as const;

/** Search filters; `assigneeId=me` means the caller. Defaults differ per endpoint (see the routes). */
export const taskSearchQuery = (defaults: { sort: (typeof taskSorts)[number]; order: 'asc' | 'desc' }) =>
  z.object({
    columnId: id.optional(),
    assigneeId: z.union([id, z.literal('me')]).optional(),
    label: label.optional(),
    priority: z.enum(priorities).optional(),
    status: z.enum(['open', 'completed']).optional(),
    archived: z.stringbool().optional(),
    q: z.string().trim().min(1).max(200).optional(),
    dueBefore: isoInstant.optional(),
    dueAfter: isoInstant.optional(),
    sort: z.enum(taskSorts).default(defaults.sort),
    order: z.enum(['asc', 'desc']).default(defaults.order),
    cursor: cursor.optional(),
    limit: pageLimit,
  });

export const commentBodySchema = z.strictObject({ body: commentBody });
