import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boardStreamId, type Envelope } from '@primetrade/domain';
import {
  createInMemoryEventStore,
  createInProcessEventBus,
  createMetrics,
  installErrorReporter,
  toEventToAppend,
  type EventBus,
  type Metrics,
  type Sql,
} from '@primetrade/platform';
import { ProjectionGapError } from './applyBatch.js';
import type { ProjectorLogger } from './logging.js';
import { createProjector, type Projector } from './projector.js';
import { createRelay } from './relay.js';
import { BoardStream } from './testing/boardEvents.testkit.js';
import { createMigratedPglite } from '@primetrade/read-model';
import { readBoard, readRows } from './testing/readModels.testkit.js';
import { waitFor } from './testing/wait.testkit.js';

let sql: Sql;
let bus: EventBus;
let projector: Projector;
let logged: { level: string; obj: object; msg?: string | undefined }[];
let metrics: Metrics;

const recorder: ProjectorLogger = {
  debug: (obj, msg) => logged.push({ level: 'debug', obj, msg }),
  info: (obj, msg) => logged.push({ level: 'info', obj, msg }),
  warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
  error: (obj, msg) => logged.push({ level: 'error', obj, msg }),
};

beforeAll(async () => {
  sql = await createMigratedPglite();
});
afterAll(() => sql.close());
beforeEach(async () => {
  logged = [];
  bus = createInProcessEventBus();
  metrics = createMetrics();
  projector = createProjector({ bus, sql, logger: recorder, metrics });
  await projector.start();
});
afterEach(async () => {
  await projector.stop();
  await bus.close();
});

describe('Projector', () => {
  it('applies what the bus delivers to the read models', async () => {
    const stream = new BoardStream();
    await bus.publish([
      ...stream.create('Delivered'),
      stream.emit({ type: 'BoardRenamed', data: { name: 'Renamed' } }),
    ]);
    expect(await readRows(sql, 'boards', stream.boardId)).toEqual([
      expect.objectContaining({ name: 'Renamed', revision: 2 }),
    ]);
    expect(projector.status()).toEqual({ state: 'running' });
  });

  it('ignores a batch delivered twice', async () => {
    const stream = new BoardStream();
    const batch = [...stream.create(), stream.addMember(randomUUID())];
    await bus.publish(batch);
    const before = await readBoard(sql, stream.boardId);
    await bus.publish(batch);
    expect(await readBoard(sql, stream.boardId)).toEqual(before);
  });

  describe('when a revision is missing', () => {
    it('halts: rejects the batch, reports why, logs an error, and keeps rejecting so the relay loses nothing', async () => {
      const stream = new BoardStream();
      await bus.publish(stream.create());
      stream.emit({ type: 'BoardRenamed', data: { name: 'Lost' } });
      const late = stream.emit({ type: 'BoardRenamed', data: { name: 'Late' } });
      await expect(bus.publish([late])).rejects.toBeInstanceOf(ProjectionGapError);
      expect(projector.status().state).toBe('halted');
      expect(projector.status().lastError).toContain('expected revision 2, got 3');
      expect(logged).toContainEqual(
        expect.objectContaining({ level: 'error', obj: { boardId: stream.boardId, expected: 2, got: 3 } }),
      );
      expect(
        (await metrics.registry.getSingleMetric('primetrade_projector_halted_partitions')?.get())?.values[0]?.value,
      ).toBe(1);

      // Still subscribed and refusing: a later publish fails too, so the relay keeps its position
      // instead of moving past events the projector never applied.
      const other = new BoardStream();
      await expect(bus.publish(other.create())).rejects.toThrow(/halted/);
      expect(await readRows(sql, 'boards', other.boardId)).toEqual([]);
      expect(await readRows(sql, 'boards', stream.boardId)).toEqual([expect.objectContaining({ revision: 1 })]);
    });
  });

  describe('when it halts and an error-reporting hook is installed', () => {
    it('reports the halt with the board, the revision and the correlation ids, never the event data', async () => {
      const reports: { error: unknown; context?: Readonly<Record<string, unknown>> }[] = [];
      installErrorReporter({
        report: (error, context) => reports.push({ error, ...(context ? { context } : {}) }),
        flush: async () => undefined,
      });
      try {
        const stream = new BoardStream();
        await bus.publish(stream.create());
        stream.emit({ type: 'BoardRenamed', data: { name: 'Lost' } });
        const late = stream.emit({ type: 'BoardRenamed', data: { name: 'Late secret name' } });
        await expect(bus.publish([late])).rejects.toBeInstanceOf(ProjectionGapError);
        expect(reports).toHaveLength(1);
        expect(reports[0]?.error).toBeInstanceOf(ProjectionGapError);
        expect(reports[0]?.context).toMatchObject({
          component: 'projector',
          halted: true,
          boardId: stream.boardId,
          fromRevision: 3,
          correlationIds: [late.correlationId],
        });
        expect(JSON.stringify(reports[0]?.context)).not.toContain('Late secret name');
      } finally {
        installErrorReporter(null);
      }
    });
  });

  describe('when an event type is unknown (written by a newer version)', () => {
    it('halts instead of skipping it', async () => {
      const stream = new BoardStream();
      const [created, owner] = stream.create();
      const future = {
        ...stream.emit({ type: 'BoardRenamed', data: { name: 'x' } }),
        type: 'BoardPainted',
      } as unknown as Envelope;
      await expect(bus.publish([created, owner, future].filter((event) => event !== undefined))).rejects.toThrow(
        'BoardPainted',
      );
      expect(projector.status().state).toBe('halted');
      expect(await readRows(sql, 'boards', stream.boardId)).toEqual([]);
    });
  });

  describe('when an event cannot be stored by the read models (poison)', () => {
    it('halts instead of retrying it forever while reporting "running"', async () => {
      const stream = new BoardStream();
      const [created, owner] = stream.create();
      const poison = stream.emit({
        type: 'TaskCreated',
        data: {
          taskId: randomUUID(),
          columnId: 'not-a-uuid',
          position: 'a0',
          title: 't',
          description: '',
          priority: 'low',
          dueDate: null,
          assigneeIds: [],
          labels: [],
        },
      });
      await expect(bus.publish([created!, owner!, poison])).rejects.toThrow();
      expect(projector.status().state).toBe('halted');
      expect(logged).toContainEqual(
        expect.objectContaining({ level: 'error', msg: 'projector halted on an event the read models cannot take' }),
      );
    });
  });

  describe('when the database fails', () => {
    it('rejects the batch for redelivery and keeps running', async () => {
      await projector.stop();
      let failures = 1;
      const flaky: Sql = {
        ...sql,
        tx: async (fn) => {
          if (failures-- > 0) throw new Error('connection reset');
          return sql.tx(fn);
        },
      };
      projector = createProjector({ bus, sql: flaky, logger: recorder });
      await projector.start();
      const batch = new BoardStream().create();
      await expect(bus.publish(batch)).rejects.toThrow('connection reset');
      expect(projector.status().state).toBe('running');
      expect(logged).toContainEqual(expect.objectContaining({ level: 'warn' }));
      await bus.publish(batch);
      expect(await readRows(sql, 'boards', batch[0]?.boardId ?? '')).toHaveLength(1);
    });
  });

  it('reports stopped after stop()', async () => {
    await projector.stop();
    expect(projector.status()).toEqual({ state: 'stopped' });
  });

  it('builds the read models from the event store through relay and bus', async () => {
    const store = createInMemoryEventStore();
    const relay = createRelay({ store, bus, sql, checkpointName: `relay-${randomUUID()}`, batchSize: 4 });
    const stream = new BoardStream();
    const events: Envelope[] = [...stream.create(), stream.addColumn('To do')];
    await relay.start();
    try {
      for (const event of events) {
        await store.appendToStream(boardStreamId(stream.boardId), [toEventToAppend(event, event.id, event)]);
      }
      await waitFor(
        async () => (await readRows(sql, 'board_columns', stream.boardId)).length === 1,
        'column projected',
      );
    } finally {
      await relay.stop();
      await store.close();
    }
  });
});
