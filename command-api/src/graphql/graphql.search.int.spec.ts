/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { createPgSearchIndex, searchChangeFromReadModel } from '@primetrade/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
  type Json,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
  const created: string[] = [];
  for (const title of ['Urgent: fix the café login', 'Write release notes']) {
    const task = await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.editor, body: { title } });
    created.push((task.body as { id: string }).id);
  }
  // The index is the search projection's; here the test writes what the projection would.
  const change = await searchChangeFromReadModel(api.sql, board.boardId, created);
  if (!change) throw new Error('board not projected');
  await createPgSearchIndex(api.sql).apply([change]);
});
afterAll(async () => api.close());

const gql = async (as: string, query: string, variables?: Record<string, unknown>) =>
  api.request('POST', '/graphql', {
    as,
    body: { query, ...(variables ? { variables } : {}) },
    headers: { accept: 'application/graphql-response+json' },
  });

const searchDocument = `query($q: String, $limit: Int, $boards: [ID!]) {
  search(q: $q, limit: $limit, boardIds: $boards) {
    total nextCursor
    items { task { title boardId } titleHighlight { text match } }
    facets { board { value count } }
  }
}`;

describe('GraphQL search', () => {
  it('finds a task of my boards with a typo and an accent, with highlights and facets, as GET /search', async () => {
    const found = await gql(board.viewer, searchDocument, { q: 'cafe lgin' });
    expect(found.body.errors).toBeUndefined();
    const result: Json = found.body.data.search;
    expect(result.total).toBe(1);
    expect(result.items[0].task.title).toBe('Urgent: fix the café login');
    expect(
      (result.items[0].titleHighlight as Json[]).filter((piece) => piece.match).map((piece) => piece.text),
    ).toEqual(['café', 'login']);
    expect(result.facets.board).toEqual([{ value: board.boardId, count: 1 }]);
    const rest = await api.request('GET', `/search?q=${encodeURIComponent('cafe lgin')}`, { as: board.viewer });
    expect(rest.body.items.map((hit: Json) => hit.task.title)).toEqual(['Urgent: fix the café login']);
  });

  it('finds nothing for a person who is not on the board, even when naming it', async () => {
    const found = await gql(board.stranger, searchDocument, { q: 'release', boards: [board.boardId] });
    expect(found.body.data.search.total).toBe(0);
    expect(found.body.data.search.items).toEqual([]);
  });

  it('refuses what GET /search refuses, with the same code', async () => {
    const found = await gql(board.viewer, searchDocument, { q: 'release', limit: 0 });
    expect(found.body.errors.map((error: Json) => error.extensions.code)).toEqual(['VALIDATION.FAILED']);
  });
});
