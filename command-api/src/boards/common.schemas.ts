import { isIsoInstant, priorities, roles } from '@primetrade/domain';
import { z } from 'zod';

/**
 * Schemas shared by the board, task and comment routes. Limits match the domain's
 * (`limits` in board.validation.ts); the domain checks them again for the socket path.
 */
/** Ids are stored and compared in lower case (streams are named by them): one spelled in capitals means the same thing. */
export const id = z.uuid().overwrite((value) => value.toLowerCase());
export const boardParams = z.object({ boardId: id });
export const taskParams = z.object({ taskId: id });

export const boardName = z.string().trim().min(1).max(100);
export const columnName = z.string().trim().min(1).max(100);
export const taskTitle = z.string().trim().min(1).max(200);
export const description = z.string().max(10_000);
export const label = z.string().trim().min(1).max(40);
export const commentBody = z.string().trim().min(1).max(5_000);
export const role = z.enum(roles);
export const priority = z.enum(priorities);
/**
 * An ISO 8601 instant, stored in one canonical form (UTC, milliseconds: what the read models print),
 * so the fold, the events and `GET` agree to the letter; the UTC year must be 0001–9999.
 */
export const isoInstant = z.iso
  .datetime({ offset: true })
  .refine(isIsoInstant, 'must be an instant in years 0001–9999 with an offset of at most ±14:00')
  .transform((value) => new Date(value).toISOString())
  .refine(isIsoInstant, 'must fall in years 0001–9999 once converted to UTC');
export const wipLimit = z.number().int().min(1).max(1_000).nullable();

/** Page size for list endpoints: 1..100, default 50. */
export const pageLimit = z.coerce.number().int().min(1).max(100).default(50);
export const cursor = z.string().min(1).max(500);

/** Placement: before or after a sibling, never both (neither = at the end). */
export const onlyOneAnchor = (before: string, after: string) => (value: Record<string, unknown>) =>
  !(value[before] !== undefined && value[after] !== undefined);
export const anchorMessage = (before: string, after: string) => ({
  message: `give ${before} or ${after}, not both`,
  path: [after],
});

// ---- response schemas (OpenAPI only; the handlers build the DTOs) ----
export const boardDto = z.object({
  id,
  name: z.string(),
  description: z.string(),
  archived: z.boolean(),
  createdBy: id,
  createdAt: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export const boardSummaryDto = boardDto.extend({ role });
export const memberDto = z.object({ userId: id, name: z.string(), role, addedAt: z.string() });
export const columnDto = z.object({
  id,
  name: z.string(),
  position: z.string(),
  isDone: z.boolean(),
  wipLimit: z.number().int().nullable(),
});
export const taskDto = z.object({
  id,
  boardId: id,
  columnId: id,
  position: z.string(),
  title: z.string(),
  description: z.string(),
  priority,
  dueDate: z.string().nullable(),
  assigneeIds: z.array(id),
  labels: z.array(z.string()),
  status: z.enum(['open', 'completed']),
  archived: z.boolean(),
  createdBy: id,
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});
export const commentDto = z.object({
  id,
  taskId: id,
  authorId: id,
  body: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
});
export const columnPageDto = z.object({
  columnId: id,
  taskCount: z.number().int().describe("The column's non-archived tasks, all of them"),
  nextCursor: z.string().nullable().describe('For GET /boards/{boardId}/columns/{columnId}/tasks; null: no more'),
});
export const boardViewDto = z.object({
  board: boardDto,
  columns: z.array(columnDto),
  tasks: z.array(taskDto),
  members: z.array(memberDto),
  revision: z.number().int(),
  columnPages: z.array(columnPageDto).optional().describe('Only with tasksPerColumn: tasks holds only the first pages'),
});
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const envelopeDto = z.object({
  id,
  type: z.string(),
  boardId: id,
  revision: z.number().int(),
  position: z.string(),
  occurredAt: z.string(),
  actorId: id,
  correlationId: z.string(),
  causationId: z.string().nullable(),
  schemaVersion: z.number().int(),
  traceparent: z.string().optional().describe('W3C trace context of the command, when tracing was on'),
  data: z.record(z.string(), z.unknown()),
});
/** Writes that have no natural body of their own answer with the board revision. */
export const revisionDto = z.object({ revision: z.number().int() });
