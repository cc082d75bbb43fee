import { z } from 'zod';
import { boardName, columnName, cursor, description, pageLimit, wipLimit } from './common.schemas.js';

export const newColumnBody = z.strictObject({
  name: columnName,
  isDone: z.boolean().optional(),
  wipLimit: wipLimit.optional(),
});

export const createBoardBody = z.strictObject({
  name: boardName,
  description: description.optional(),
  columns: z.array(newColumnBody).min(1).max(20).optional(),
});

export const updateBoardBody = z
  .strictObject({ name: boardName.optional(), description: description.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'give name and/or description',
  });

export const listBoardsQuery = z.object({
  cursor: cursor.optional(),
  limit: pageLimit,
  includeArchived: z.stringbool().default(false),
});

/** What a new board gets when the request names no columns (docs/api.md). */
export const defaultColumns = [
  { name: 'To do' },
  { name: 'In progress' },
  { name: 'Done', isDone: true },
] as const satisfies readonly z.infer<typeof newColumnBody>[];

/** Column pages (docs/adr/0023-big-boards-column-pages.md): 1..500 tasks per column, default 100. */
export const columnPageLimit = z.coerce.number().int().min(1).max(500);

export const boardViewQuery = z.object({
  tasksPerColumn: columnPageLimit
    .optional()
    .describe("Answer only each column's first N non-archived tasks, with counts and cursors (columnPages)"),
});

export const columnTasksQuery = z.object({ cursor: cursor.optional(), limit: columnPageLimit.default(100) });
