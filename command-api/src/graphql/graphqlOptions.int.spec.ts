/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  storeRevision,
  type BoardApiHarness,
  type BoardFixture,
  type Json,
} from '../boards/boardApi.testkit.js';
import { defaultGraphQLConfig, documentHash } from './graphql.routes.js';

const allowed = '{ me { name } }';

const post = (api: BoardApiHarness, as: string, body: Json, headers: Record<string, string> = {}) =>
  api.request('POST', '/graphql', { as, body, headers: { accept: 'application/graphql-response+json', ...headers } });

describe('With introspection off and an allow-list', () => {
  let api: BoardApiHarness;
  let user: string;
  beforeAll(async () => {
    api = await createBoardApiHarness({
      config: {
        graphql: {
          ...defaultGraphQLConfig,
          introspection: false,
          persistedQueries: new Map([[documentHash(allowed), allowed]]),
        },
      },
    });
    user = (await api.addUser('Ada')).id;
  });
  afterAll(async () => api.close());

  it('runs a listed document, sent whole or by its hash', async () => {
    expect((await post(api, user, { query: allowed })).body.data.me.name).toBe('Ada');
    const byHash = await post(api, user, {
      extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(allowed) } },
    });
    expect(byHash.body.data.me.name).toBe('Ada');
  });

  it('refuses any other document with AUTH.FORBIDDEN', async () => {
    const response = await post(api, user, { query: '{ me { email } }' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('AUTH.FORBIDDEN');
  });
});

describe('With introspection off', () => {
  let api: BoardApiHarness;
  let user: string;
  beforeAll(async () => {
    api = await createBoardApiHarness({ config: { graphql: { ...defaultGraphQLConfig, introspection: false } } });
    user = (await api.addUser('Ada')).id;
  });
  afterAll(async () => api.close());

  it('refuses __schema with VALIDATION.FAILED and still answers __typename', async () => {
    const response = await post(api, user, { query: '{ __schema { types { name } } }' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('VALIDATION.FAILED');
    expect((await post(api, user, { query: '{ __typename }' })).body.data).toEqual({ __typename: 'Query' });
  });
});

describe('Min-Revision, as on the REST reads', () => {
  let api: BoardApiHarness;
  let board: BoardFixture;
  beforeAll(async () => {
    // The projector runs only when a test calls `api.project()`: the read models lag at will.
    api = await createBoardApiHarness({ projection: 'manual', config: { minRevisionWaitMs: 1_500 } });
    board = await createBoardFixture(api);
    await api.project();
  });
  afterAll(async () => api.close());

  const createTask = async (title: string) => {
    const created = await post(api, board.editor, {
      query: 'mutation($b: ID!, $t: String) { createTask(boardId: $b, input: { title: $t }) { revision task { id } } }',
      variables: { b: board.boardId, t: title },
    });
    return created.body.data.createTask as { revision: number; task: { id: string } };
  };
  const readBoardTasks = (minRevision: string) =>
    post(
      api,
      board.editor,
      { query: 'query($b: ID!) { board(id: $b) { tasks { items { id } } } }', variables: { b: board.boardId } },
      { 'Min-Revision': minRevision },
    );

  it('waits until the projector applied my write, then answers with it', async () => {
    const { revision, task } = await createTask('Mine');
    expect(revision).toBe(await storeRevision(api, board.boardId));
    let projected = false;
    const projection = new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
      await api.project();
      projected = true;
    });
    const response = await readBoardTasks(`${board.boardId}:${revision}`);
    expect(projected).toBe(true);
    await projection;
    expect(response.body.data.board.tasks.items.map((item: Json) => item.id)).toContain(task.id);
  });

  it('answers READ_MODEL.BEHIND when the read models do not get there in time', async () => {
    const { revision } = await createTask('Late');
    const response = await readBoardTasks(String(revision));
    expect(response.body.data).toEqual({ board: null });
    expect(response.body.errors[0].extensions.code).toBe('READ_MODEL.BEHIND');
    await api.project();
  });
});
