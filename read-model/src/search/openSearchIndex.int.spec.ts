import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createOpenSearchIndex } from './openSearchIndex.js';
import { searchIndexContract } from './searchIndex.contractSuite.js';
import { SearchGapError } from './searchIndex.port.js';

// The node of tests/kit/opensearch.globalSetup.ts (infra/opensearch); each suite has its own index prefix.
const url = inject('openSearchUrl');
const uniquePrefix = (purpose: string) => `pt-test-${purpose}-${randomBytes(4).toString('hex')}`;

describe('OpenSearch adapter', () => {
  beforeAll(() => {
    // tests/kit/opensearch.globalSetup.ts starts a node when the run selects this file.
    if (!url) throw new Error('No OpenSearch node: set OPENSEARCH_TEST_URL or run infra/opensearch (its fetch step)');
  });

  searchIndexContract('OpenSearch', async () => {
    const index = createOpenSearchIndex({ url, prefix: uniquePrefix('contract'), refresh: true });
    await index.ensureCreated();
    return { index, close: () => index.dropAll() };
  });

  it('rebuilds into a new generation and switches the aliases at once', async () => {
    const live = createOpenSearchIndex({ url, prefix: uniquePrefix('rebuild'), refresh: true });
    try {
      await live.ensureCreated();
      const board = '6f0a3c1e-0000-4000-8000-000000000001';
      const user = '6f0a3c1e-0000-4000-8000-0000000000aa';
      const doc = (title: string) => ({
        id: '6f0a3c1e-0000-4000-8000-000000000101',
        boardId: board,
        columnId: board,
        title,
        description: '',
        labels: [],
        comments: [],
        assigneeIds: [],
        priority: 'low' as const,
        dueDate: null,
        status: 'open' as const,
        archived: false,
        createdAt: '2026-10-01T00:00:00.000Z',
        updatedAt: '2026-10-01T00:00:00.000Z',
      });
      await live.apply([{ boardId: board, revision: 2, memberIds: [user], upserts: [doc('Old walrus')] }]);
      const next = await live.createGeneration();
      expect(next.generation).toBe(2);
      await next.apply([{ boardId: board, revision: 3, memberIds: [user], upserts: [doc('New walrus')] }]);
      // Until the switch, searches read generation 1.
      const titles = async () =>
        (await live.search({ viewerId: user, text: 'walrus', limit: 5 })).items.map((hit) => hit.task.title);
      expect(await titles()).toEqual(['Old walrus']);
      const left = await live.promote(next.generation);
      expect(left.sort()).toEqual(
        [live.names.access, live.names.boards, live.names.tasks].map((n) => `${n}-g1`).sort(),
      );
      expect(await titles()).toEqual(['New walrus']);
      expect(await live.boardRevision(board)).toBe(3);
      // A gap is judged in the generation written to: generation 2 holds revision 2 of a board the
      // new generation 3 never saw, so after the switch a change from revision 3 is refused there.
      const other = '6f0a3c1e-0000-4000-8000-000000000002';
      await live.apply([{ boardId: other, revision: 2, fromRevision: 0, memberIds: [user] }]);
      const third = await live.createGeneration();
      expect(await live.boardRevision(other)).toBe(2);
      await live.promote(third.generation);
      await expect(live.apply([{ boardId: other, revision: 3, fromRevision: 3, memberIds: [user] }])).rejects.toThrow(
        SearchGapError,
      );
      expect(await live.boardRevision(other)).toBeNull();
    } finally {
      await live.dropAll();
    }
  });
});

describe('OpenSearch adapter without a node', () => {
  it('answers SERVICE.UNAVAILABLE (a 503) to searches and writes', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    const index = createOpenSearchIndex({ url: `http://127.0.0.1:${port}`, requestTimeoutMs: 2_000 });
    const viewerId = '6f0a3c1e-0000-4000-8000-0000000000aa';
    await expect(index.search({ viewerId, text: 'x', limit: 5 })).rejects.toMatchObject({
      code: 'SERVICE.UNAVAILABLE',
    });
    await expect(index.apply([{ boardId: viewerId, revision: 1, memberIds: [viewerId] }])).rejects.toMatchObject({
      code: 'SERVICE.UNAVAILABLE',
    });
  });
});
