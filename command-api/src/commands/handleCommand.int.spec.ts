import { randomUUID } from 'node:crypto';
import { boardStreamId, type BoardCommand } from '@primetrade/domain';
import {
  createPostgresSql,
  createSqlEventStore,
  createTestDatabase,
  type EventStore,
  type Sql,
  type TestDatabase,
} from '@primetrade/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from './handleCommand.js';
import { countingConflicts } from './conflicts.testkit.js';

const owner = randomUUID();
const meta = () => ({ now: new Date().toISOString(), actorId: owner });
const createTask = (taskId: string): BoardCommand => ({
  type: 'CreateTask',
  data: { taskId, title: `Task ${taskId.slice(0, 8)}` },
  metadata: meta(),
});

let database: TestDatabase;
let secondPool: Sql;
/** Two "nodes" per mode: each its own pool and store on one PostgreSQL database, as two command-api processes. */
const storesOf = new Map<boolean, EventStore[]>();

beforeAll(async () => {
  database = await createTestDatabase('cmd_conflicts');
  secondPool = createPostgresSql({ connectionString: database.url, max: 10, applicationName: 'test:cmd_conflicts_2' });
  for (const groupCommit of [false, true]) {
    storesOf.set(groupCommit, [
      await createSqlEventStore(database.sql, { groupCommit }),
      await createSqlEventStore(secondPool, { groupCommit }),
    ]);
  }
});
afterAll(async () => {
  for (const store of [...storesOf.values()].flat()) await store.close();
  await secondPool?.close();
  await database?.drop();
});

// Group commit (docs/adr/0021-group-commit-of-appends.md) as the cluster runs it, and without.
describe.each([false, true])('command handler on a real PostgreSQL store (group commit: %s)', (groupCommit) => {
  describe('when two nodes with 8 writers each create tasks on one board at once', () => {
    it('refuses none and stores every create exactly once', async () => {
      const [storeA, storeB] = (storesOf.get(groupCommit) ?? []).map(countingConflicts);
      if (storeA === undefined || storeB === undefined) throw new Error('stores missing');
      const nodes = [createCommandHandler({ store: storeA }), createCommandHandler({ store: storeB })];
      const boardId = randomUUID();
      await nodes[0]?.handle(
        boardId,
        {
          type: 'CreateBoard',
          metadata: meta(),
          data: { boardId, name: 'Hot board', columns: [{ columnId: randomUUID(), name: 'To do' }] },
        },
        { correlationId: 'setup' },
      );
      const total = 320;
      const taskIds = Array.from({ length: total }, () => randomUUID());
      let next = 0;
      const refusals: unknown[] = [];
      const writer = async (node: (typeof nodes)[number]) => {
        for (let taskId = taskIds[next++]; taskId !== undefined; taskId = taskIds[next++]) {
          await node
            .handle(boardId, createTask(taskId), { correlationId: taskId })
            .catch((error: unknown) => refusals.push(error));
        }
      };
      await Promise.all(nodes.flatMap((node) => Array.from({ length: 8 }, () => writer(node))));

      expect(refusals).toEqual([]);
      const stored = await storeA.readStream(boardStreamId(boardId));
      const created = stored
        .filter((event) => event.type === 'TaskCreated')
        .map((event) => (event.data as { taskId: string }).taskId);
      expect(created).toHaveLength(total);
      expect(new Set(created)).toEqual(new Set(taskIds));
      expect(stored.map((event) => Number(event.revision))).toEqual(stored.map((_, index) => index));
      expect(storeA.conflicts + storeB.conflicts).toBeGreaterThan(0);
    }, 120_000);
  });

  describe('when two nodes create tasks on eight boards at once, each writer on its own board', () => {
    it('stores every create exactly once, each board numbered without gaps', async () => {
      const [storeA, storeB] = storesOf.get(groupCommit) ?? [];
      if (storeA === undefined || storeB === undefined) throw new Error('stores missing');
      const nodes = [createCommandHandler({ store: storeA }), createCommandHandler({ store: storeB })];
      const boards = Array.from({ length: 8 }, () => randomUUID());
      for (const boardId of boards) {
        await nodes[0]?.handle(
          boardId,
          {
            type: 'CreateBoard',
            metadata: meta(),
            data: { boardId, name: 'Board', columns: [{ columnId: randomUUID(), name: 'To do' }] },
          },
          { correlationId: 'setup' },
        );
      }
      const perBoard = 25;
      const written = new Map(boards.map((boardId) => [boardId, [] as string[]]));
      await Promise.all(
        boards.flatMap((boardId) =>
          nodes.map(async (node) => {
            for (let n = 0; n < perBoard; n += 1) {
              const taskId = randomUUID();
              await node.handle(boardId, createTask(taskId), { correlationId: taskId });
              written.get(boardId)?.push(taskId);
            }
          }),
        ),
      );
      for (const boardId of boards) {
        const stored = await storeA.readStream(boardStreamId(boardId));
        const created = stored
          .filter((event) => event.type === 'TaskCreated')
          .map((event) => (event.data as { taskId: string }).taskId);
        expect(new Set(created)).toEqual(new Set(written.get(boardId)));
        expect(created).toHaveLength(2 * perBoard);
        expect(stored.map((event) => Number(event.revision))).toEqual(stored.map((_, index) => index));
      }
    }, 120_000);
  });
});
