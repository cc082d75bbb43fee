import { DomainError } from '@primetrade/domain';
import type { ProjectionAdmin } from '@primetrade/read-model';
import { z } from '../http/zod.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireAdmin } from './admin.routes.js';

const rebuildJob = z.object({
  state: z.enum(['running', 'succeeded', 'failed']),
  phase: z.string(),
  events: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  result: z
    .object({ events: z.number(), boards: z.number(), durationMs: z.number(), eventsPerSecond: z.number() })
    .nullable(),
  error: z.string().nullable(),
});

const projectionStatus = z.object({
  checkpoints: z.array(
    z.object({
      name: z.string(),
      position: z.string(),
      updatedAt: z.string(),
      pendingEvents: z.number().int(),
      pendingCapped: z.boolean(),
    }),
  ),
  kafkaOffsets: z.array(
    z.object({
      group: z.string(),
      topic: z.string(),
      partition: z.number().int(),
      nextOffset: z.string(),
      updatedAt: z.string(),
    }),
  ),
  boards: z.object({ projected: z.number().int(), lastAppliedAt: z.string().nullable() }),
  rebuild: rebuildJob.nullable(),
});

const tags = ['admin'];

/** Projection status (lag, positions) and the rebuild trigger with its progress (admin only). */
export function registerProjectionAdminRoutes(registrar: RouteRegistrar, admin: ProjectionAdmin): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/admin/projections',
      readReplica: false,
      summary: 'Relay checkpoints and pending events, Kafka offsets, projected boards, the last rebuild (admin)',
      tags,
      middleware: [requireAdmin],
      responses: {
        200: { description: 'Where every feed stands', schema: projectionStatus },
        403: { description: 'Not an admin' },
      },
    },
    async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await admin.status();
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/admin/projections/rebuild',
      summary: 'Rebuild the read models from the event store into fresh tables, then switch over (admin)',
      tags,
      middleware: [requireAdmin],
      responses: {
        202: { description: 'Started; follow `rebuild` in GET /admin/projections', schema: rebuildJob },
        403: { description: 'Not an admin' },
        409: { description: 'A rebuild is already running' },
      },
    },
    async (ctx) => {
      const job = admin.startRebuild();
      if (job === null)
        throw new DomainError(
          'PROJECTION.REBUILD_RUNNING',
          'A rebuild is already running; follow it in GET /admin/projections',
        );
      ctx.status = 202;
      ctx.body = job;
    },
  );
}
