import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchGapError, type SearchIndex, type SearchQuery, type SearchResult } from './searchIndex.port.js';

/**
 * One contract for every adapter of the search port (docs/adr/0024-search-engine.md): the same
 * writes, the same queries, the same answers. `open` gives an empty index (its own database or
 * index names); `close` drops it.
 */
export interface SearchIndexHarness {
  readonly index: SearchIndex;
  close(): Promise<void>;
}

import { at, ids, seed, task, type Ids } from './searchIndex.contractFixture.js';

const titles = (result: SearchResult) => result.items.map((hit) => hit.task.title);

export function searchIndexContract(name: string, open: () => Promise<SearchIndexHarness>): void {
  describe(`search port contract: ${name}`, () => {
    let harness: SearchIndexHarness;
    let x: Ids;
    const search = (query: Omit<SearchQuery, 'limit'> & { limit?: number }) =>
      harness.index.search({ limit: 20, ...query });

    beforeAll(async () => {
      harness = await open();
      x = ids();
      await seed(harness.index, x);
    });
    afterAll(async () => {
      await harness?.close();
    });

    it("answers the seed's example: the word urgent, due on or after a date, soonest first", async () => {
      const result = await search({
        viewerId: x.alice,
        text: 'urgent',
        dueFrom: '2026-12-06T00:00:00.000Z',
        sort: 'dueDate',
        order: 'asc',
      });
      expect(titles(result)).toEqual(['Urgent customer escalation', 'Urgent: fix login bug']);
      expect(result.total).toBe(2);
      // Every field as written, comments left out.
      expect(result.items[1]?.task).toEqual({
        id: x.a1,
        boardId: x.boardA,
        columnId: x.todoA,
        title: 'Urgent: fix login bug',
        description: 'Users cannot sign in since the release',
        labels: ['bug'],
        assigneeIds: [x.alice],
        priority: 'urgent',
        dueDate: at('2026-12-10'),
        status: 'open',
        archived: false,
        createdAt: at('2026-10-01'),
        updatedAt: at('2026-10-05'),
      });
    });

    it('never finds a task of a board the viewer is not on, or has left', async () => {
      expect(titles(await search({ viewerId: x.alice, text: 'secret' }))).toEqual([]);
      expect(titles(await search({ viewerId: x.alice, boardIds: [x.boardC] }))).toEqual([]);
      // carol was on board A until its revision 5: only board C's task is hers to find.
      expect(titles(await search({ viewerId: x.carol, text: 'urgent' }))).toEqual(['Urgent secret plan']);
      expect(titles(await search({ viewerId: x.carol, boardIds: [x.boardA] }))).toEqual([]);
      const stranger = await search({ viewerId: x.nobody });
      expect(stranger.items).toEqual([]);
      expect(stranger.total).toBe(0);
      expect(stranger.facets.board).toEqual([]);
      expect((await search({ viewerId: 'not-a-uuid', text: 'urgent' })).items).toEqual([]);
    });

    it('tolerates typos by word length (one edit from 3 letters, two from 6) and matches the last word as a prefix', async () => {
      expect(titles(await search({ viewerId: x.alice, text: 'lgin' }))).toEqual(['Urgent: fix login bug']);
      expect(titles(await search({ viewerId: x.alice, text: 'relase ntes', sort: 'updatedAt' }))).toEqual([
        'Write release notes',
      ]);
      expect(titles(await search({ viewerId: x.alice, text: 'escal' }))).toEqual(['Urgent customer escalation']);
      // Two letters: no edit allowed, so "bg" is not "bug" (but is a prefix of nothing).
      expect(titles(await search({ viewerId: x.alice, text: 'bg' }))).toEqual([]);
      // Three edits away from "urgent": no match.
      expect(titles(await search({ viewerId: x.alice, text: 'xrgxnx login' }))).toEqual([]);
    });

    it('searches labels, descriptions and comments; every word must match', async () => {
      expect(titles(await search({ viewerId: x.alice, text: 'checklist' }))).toEqual(['Plan the sprint']);
      expect(titles(await search({ viewerId: x.alice, text: 'customers summarize' }))).toEqual(['Write release notes']);
      expect(titles(await search({ viewerId: x.alice, text: 'ops' }))).toEqual(['Deploy urgent hotfix']);
      expect(titles(await search({ viewerId: x.alice, text: 'urgent sprint' }))).toEqual([]);
    });

    it('ranks title matches above description matches and highlights the matched words', async () => {
      const result = await search({ viewerId: x.alice, text: 'urgent' });
      expect(titles(result).slice(0, 3).sort()).toEqual([
        'Deploy urgent hotfix',
        'Urgent customer escalation',
        'Urgent: fix login bug',
      ]);
      expect(titles(result)[3]).toBe('Write release notes');
      const login = result.items.find((hit) => hit.task.id === x.a1);
      expect(login?.highlights.title).toEqual([
        { text: 'Urgent', match: true },
        { text: ': fix login bug', match: false },
      ]);
      expect(login?.highlights.description).toBeUndefined();
      const notes = result.items.find((hit) => hit.task.id === x.a2);
      expect(notes?.highlights.title).toBeUndefined();
      expect(notes?.highlights.description?.filter((piece) => piece.match)).toEqual([{ text: 'urgent', match: true }]);
      const typo = await search({ viewerId: x.alice, text: 'lgin' });
      expect(typo.items[0]?.highlights.title?.filter((piece) => piece.match)).toEqual([{ text: 'login', match: true }]);
    });

    it('filters by board, column, assignee, label, priority, status, due dates and archived', async () => {
      const sorted = async (query: Omit<SearchQuery, 'limit' | 'viewerId'>) =>
        titles(await search({ viewerId: x.alice, ...query })).sort();
      expect(await sorted({ boardIds: [x.boardB] })).toEqual(['Plan the sprint', 'Urgent customer escalation']);
      expect(await sorted({ columnId: x.doneA })).toEqual(['Write release notes']);
      expect(await sorted({ assigneeId: x.bob })).toEqual(['Deploy urgent hotfix', 'Write release notes']);
      expect(await sorted({ label: 'bug' })).toEqual(['Deploy urgent hotfix', 'Urgent: fix login bug']);
      expect(await sorted({ priority: 'urgent' })).toEqual(['Urgent customer escalation', 'Urgent: fix login bug']);
      expect(await sorted({ status: 'completed' })).toEqual(['Write release notes']);
      expect(await sorted({ dueFrom: '2026-12-06T00:00:00.000Z', dueBefore: '2026-12-20T09:00:00.000Z' })).toEqual([
        'Urgent customer escalation',
        'Urgent: fix login bug',
      ]);
      expect(await sorted({ archived: true })).toEqual(['Urgent but archived']);
    });

    it('counts facets over everything the query matches', async () => {
      const { facets, total } = await search({ viewerId: x.alice, limit: 1 });
      expect(total).toBe(5);
      expect(facets.board).toEqual([
        { value: x.boardA, count: 3 },
        { value: x.boardB, count: 2 },
      ]);
      expect(facets.assignee).toEqual(
        [
          { value: x.alice, count: 2 },
          { value: x.bob, count: 2 },
        ].sort((a, b) => Buffer.compare(Buffer.from(a.value), Buffer.from(b.value))),
      );
      expect(facets.label).toEqual([
        { value: 'bug', count: 2 },
        { value: 'docs', count: 1 },
        { value: 'ops', count: 1 },
      ]);
      expect(facets.priority).toEqual([
        { value: 'urgent', count: 2 },
        { value: 'high', count: 1 },
        { value: 'low', count: 1 },
        { value: 'medium', count: 1 },
      ]);
      expect(facets.status).toEqual([
        { value: 'open', count: 4 },
        { value: 'completed', count: 1 },
      ]);
      const narrowed = await search({ viewerId: x.alice, text: 'urgent', label: 'bug' });
      expect(narrowed.facets.board).toEqual([{ value: x.boardA, count: 2 }]);
    });

    it('pages by keyset in every sort order, with tasks without a due date last', async () => {
      const all = async (query: Omit<SearchQuery, 'limit' | 'viewerId' | 'cursor'>) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page += 1) {
          const result = await search({ viewerId: x.alice, limit: 2, ...query, ...(cursor ? { cursor } : {}) });
          seen.push(...titles(result));
          if (!result.nextCursor) return seen;
          cursor = result.nextCursor;
        }
        throw new Error('more pages than tasks');
      };
      expect(await all({ sort: 'dueDate', order: 'asc' })).toEqual([
        'Write release notes',
        'Urgent customer escalation',
        'Urgent: fix login bug',
        'Plan the sprint',
        'Deploy urgent hotfix',
      ]);
      expect(await all({ sort: 'dueDate', order: 'desc' })).toEqual([
        'Plan the sprint',
        'Urgent: fix login bug',
        'Urgent customer escalation',
        'Write release notes',
        'Deploy urgent hotfix',
      ]);
      expect(await all({})).toEqual([
        'Urgent customer escalation',
        'Urgent: fix login bug',
        'Deploy urgent hotfix',
        'Plan the sprint',
        'Write release notes',
      ]);
      const byPriority = await all({ sort: 'priority', order: 'desc' });
      expect(byPriority.slice(2)).toEqual(['Deploy urgent hotfix', 'Write release notes', 'Plan the sprint']);
      const relevance = await all({ text: 'urgent' });
      expect(relevance).toHaveLength(4);
      expect(new Set(relevance).size).toBe(4);
      expect(relevance[3]).toBe('Write release notes');
      await expect(search({ viewerId: x.alice, cursor: 'not a cursor' })).rejects.toMatchObject({
        code: 'VALIDATION.FAILED',
      });
    });

    it('keeps the newest revision of each board: older or repeated changes change nothing', async () => {
      const y = ids();
      const index = harness.index;
      await index.apply([
        { boardId: y.boardA, revision: 1, memberIds: [y.alice] },
        { boardId: y.boardA, revision: 2, upserts: [task(y.a1, y.boardA, y.todoA, { title: 'Original gadget' })] },
      ]);
      expect(await index.boardRevision(y.boardA)).toBe(2);
      expect(await index.boardRevision(y.boardB)).toBeNull();
      await index.apply([
        { boardId: y.boardA, revision: 2, upserts: [task(y.a1, y.boardA, y.todoA, { title: 'Replayed gadget' })] },
        { boardId: y.boardA, revision: 1, memberIds: [y.alice, y.bob] },
      ]);
      expect(titles(await search({ viewerId: y.alice, text: 'gadget' }))).toEqual(['Original gadget']);
      expect(titles(await search({ viewerId: y.bob, text: 'gadget' }))).toEqual([]);
      await index.apply([
        { boardId: y.boardA, revision: 3, upserts: [task(y.a1, y.boardA, y.todoA, { title: 'Renamed sprocket' })] },
      ]);
      expect(titles(await search({ viewerId: y.alice, text: 'gadget' }))).toEqual([]);
      expect(titles(await search({ viewerId: y.alice, text: 'sprocket' }))).toEqual(['Renamed sprocket']);
      await index.apply([{ boardId: y.boardA, revision: 4, deletes: [y.a1] }]);
      expect(titles(await search({ viewerId: y.alice, text: 'sprocket' }))).toEqual([]);
      expect(await index.boardRevision(y.boardA)).toBe(4);
    });

    it("refuses a change that starts above the revision after the board's last one, and writes nothing of the call", async () => {
      const y = ids();
      const index = harness.index;
      await index.apply([{ boardId: y.boardA, revision: 2, fromRevision: 0, memberIds: [y.alice] }]);
      const gap = index.apply([
        { boardId: y.boardB, revision: 1, fromRevision: 0, memberIds: [y.alice] },
        {
          boardId: y.boardA,
          revision: 5,
          fromRevision: 4,
          upserts: [task(y.a1, y.boardA, y.todoA, { title: 'Gap gadget' })],
        },
      ]);
      await expect(gap).rejects.toBeInstanceOf(SearchGapError);
      expect(await index.boardRevision(y.boardA)).toBe(2);
      expect(await index.boardRevision(y.boardB)).toBeNull();
      await index.apply([
        {
          boardId: y.boardA,
          revision: 5,
          fromRevision: 3,
          upserts: [task(y.a1, y.boardA, y.todoA, { title: 'Gap gadget' })],
        },
      ]);
      expect(await index.boardRevision(y.boardA)).toBe(5);
    });

    it('folds accents in the text and in the query: "cafe" finds "Café", "strasse" finds "Straße"', async () => {
      const y = ids();
      await harness.index.apply([
        { boardId: y.boardA, revision: 1, memberIds: [y.alice] },
        {
          boardId: y.boardA,
          revision: 2,
          upserts: [
            task(y.a1, y.boardA, y.todoA, { title: 'Crème brûlée at the Café' }),
            task(y.a2, y.boardA, y.todoA, {
              title: 'Fix the sign',
              description: 'Hauptstraße, near the Øresund bridge',
            }),
          ],
        },
      ]);
      const cafe = await search({ viewerId: y.alice, text: 'cafe creme' });
      expect(titles(cafe)).toEqual(['Crème brûlée at the Café']);
      expect(cafe.items[0]?.highlights.title?.filter((piece) => piece.match)).toEqual([
        { text: 'Crème', match: true },
        { text: 'Café', match: true },
      ]);
      expect(titles(await search({ viewerId: y.alice, text: 'CAFÉ' }))).toEqual(['Crème brûlée at the Café']);
      expect(titles(await search({ viewerId: y.alice, text: 'hauptstrasse oresund' }))).toEqual(['Fix the sign']);
      // Typo tolerance and prefixes work on the folded words.
      expect(titles(await search({ viewerId: y.alice, text: 'bruleee' }))).toEqual(['Crème brûlée at the Café']);
      expect(titles(await search({ viewerId: y.alice, text: 'brû' }))).toEqual(['Crème brûlée at the Café']);
    });

    it('rejects what it cannot answer as a validation error', async () => {
      await expect(search({ viewerId: x.alice, limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION.FAILED' });
      await expect(search({ viewerId: x.alice, dueFrom: 'tomorrow' })).rejects.toMatchObject({
        code: 'VALIDATION.FAILED',
      });
    });
  });
}
