import { priorities } from '@primetrade/domain';
import { searchSorts } from '@primetrade/read-model';
import { z } from 'zod';
import { cursor, id, isoInstant, label, priority } from '../boards/common.schemas.js';

/** `boardId=a&boardId=b` or `boardId=a,b` (or both): the boards to narrow to, at most 100. */
const splitCommas = (value: unknown): unknown[] =>
  (Array.isArray(value) ? (value as unknown[]) : [value]).flatMap((item) =>
    typeof item === 'string' ? item.split(',') : [item],
  );
const boardIds = z.preprocess(splitCommas, z.array(id).min(1).max(100));

/** `GET /search` (docs/api.md "Search"): the search port's query (docs/adr/0024-search-engine.md), the viewer from the token. */
export const searchQuery = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  boardId: boardIds.optional(),
  columnId: id.optional(),
  assigneeId: z.union([id, z.literal('me')]).optional(),
  label: label.optional(),
  priority: z.enum(priorities).optional(),
  status: z.enum(['open', 'completed']).optional(),
  archived: z.stringbool().optional(),
  dueFrom: isoInstant.optional(),
  dueBefore: isoInstant.optional(),
  sort: z.enum(searchSorts).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const highlight = z.array(z.object({ text: z.string(), match: z.boolean() }));
const facetCounts = z.array(z.object({ value: z.string(), count: z.number().int() }));

export const searchResultDto = z.object({
  items: z.array(
    z.object({
      task: z.object({
        id,
        boardId: id,
        columnId: id,
        title: z.string(),
        description: z.string(),
        labels: z.array(z.string()),
        assigneeIds: z.array(id),
        priority,
        dueDate: z.string().nullable(),
        status: z.enum(['open', 'completed']),
        archived: z.boolean(),
        createdAt: z.string(),
        updatedAt: z.string(),
      }),
      highlights: z.object({ title: highlight.optional(), description: highlight.optional() }),
    }),
  ),
  total: z.number().int(),
  facets: z.object({
    board: facetCounts,
    assignee: facetCounts,
    label: facetCounts,
    priority: facetCounts,
    status: facetCounts,
  }),
  nextCursor: z.string().nullable(),
});
