import { z } from 'zod';
import { boardViewDto, envelopeDto, id, isoInstant } from '../boards/common.schemas.js';

const filters = {
  taskId: id.optional(),
  actorId: id.optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
};

/** Newest first; `before` is the revision the next page starts below (the previous page's `nextBefore`). */
export const historyQuery = z.object({
  ...filters,
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const taskHistoryQuery = historyQuery.omit({ taskId: true });

export const historyExportQuery = z.object({ ...filters, format: z.enum(['json', 'csv']).default('json') });

export const historyEntryDto = z.object({
  revision: z.number().int(),
  occurredAt: z.string(),
  actorId: z.string(),
  type: z.string(),
  taskId: z.string().nullable(),
  summary: z.string(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
});

export const historyPage = z.object({
  entries: z.array(historyEntryDto),
  /** Pass as `before` for the next (older) page; null on the last one. */
  nextBefore: z.number().int().nullable(),
  /** The board's revision when read. */
  revision: z.number().int(),
});

/** Exactly one point: a `revision`, or an instant as `time` (`at` is the older name of the same thing). */
export const timeTravelQuery = z
  .object({
    revision: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    time: isoInstant.optional(),
    at: isoInstant.optional(),
  })
  .refine((query) => [query.revision, query.time, query.at].filter((value) => value !== undefined).length === 1, {
    message: 'send exactly one of revision and time',
    path: ['revision'],
  });

export const timeTravelView = z.object({
  view: boardViewDto,
  asOf: z.object({ revision: z.number().int(), occurredAt: z.string() }),
});

/** The revision of any event of the change to undo (a change is the events one request appended). */
export const undoBody = z.object({ revision: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();

export const undoResult = z.object({
  /** The revisions of the change that was undone. */
  undone: z.object({ first: z.number().int(), last: z.number().int() }),
  /** The compensating events appended. */
  events: z.array(envelopeDto),
  revision: z.number().int(),
});
