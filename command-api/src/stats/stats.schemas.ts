import { z } from 'zod';
import { id } from '../boards/common.schemas.js';

/** Widest cumulative-flow range, in days (a year and a day, so any calendar year fits). */
export const maxFlowDays = 366;

const utcDay = z.iso.date().describe('A UTC calendar day, YYYY-MM-DD');
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/** `from`/`to` default to the 30 days ending today (UTC); "not after today" is checked by the route. */
export const flowQuery = z
  .object({ from: utcDay.optional(), to: utcDay.optional() })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: 'must not be after to',
    path: ['from'],
  })
  .refine((query) => !query.from || !query.to || dayNumber(query.to) - dayNumber(query.from) < maxFlowDays, {
    message: `the range may span at most ${maxFlowDays} days`,
    path: ['to'],
  });

const count = z.number().int().min(0);
const milliseconds = z.number().int().min(0);
const percentiles = z.object({
  count,
  p50: milliseconds.nullable(),
  p85: milliseconds.nullable(),
  p95: milliseconds.nullable(),
});
const byPriority = z.object({ low: count, medium: count, high: count, urgent: count });

export const boardStatsDto = z.object({
  boardId: id,
  revision: z.number().int(),
  asOf: z.string(),
  tasks: z.object({ live: count, open: count, completed: count, archived: count, overdue: count }),
  byColumn: z.array(
    z.object({
      columnId: id,
      name: z.string(),
      isDone: z.boolean(),
      wipLimit: z.number().int().nullable(),
      tasks: count,
    }),
  ),
  byAssignee: z.array(z.object({ userId: id, tasks: count })),
  unassigned: count,
  byPriority,
  wipBreaches: z.array(
    z.object({
      columnId: id,
      startedAt: z.string(),
      endedAt: z.string().nullable(),
      durationMs: milliseconds,
      wipLimit: z.number().int(),
      peakTasks: count,
    }),
  ),
  throughput: z.object({
    last7Days: count,
    last30Days: count,
    perDay: z.array(z.object({ day: z.string(), completed: count })),
  }),
  leadTime: percentiles,
  cycleTime: percentiles,
  completions: z.array(
    z.object({
      taskId: id,
      completedAt: z.string(),
      leadTimeMs: z.number().int(),
      cycleTimeMs: z.number().int().nullable(),
    }),
  ),
});

export const boardFlowDto = z.object({
  boardId: id,
  revision: z.number().int(),
  from: z.string(),
  to: z.string(),
  days: z.array(z.string()),
  columns: z.array(z.object({ columnId: id, name: z.string(), isDone: z.boolean(), tasks: z.array(count) })),
});

export const myStatsDto = z.object({
  asOf: z.string(),
  total: count,
  byStatus: z.object({ open: count, completed: count }),
  byPriority,
  overdue: count,
  dueWithin24Hours: count,
  dueWithin7Days: count,
});
