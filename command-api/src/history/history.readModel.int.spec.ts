/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON (`Json`) */
/**
 * The history routes answer from the history read model (ADR 0020) exactly what folding the board's
 * stream answers: the same bytes for every page, filter, export and point in time. A random life of
 * a board through the API, projected with a small K so that time travel starts from snapshots; then
 * the same checks once the board's rows are gone (the stream fold takes over).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardStreamId, type Envelope } from '@primetrade/domain';
import { seededRandom, toEnvelope } from '@primetrade/platform';
import { defaultSnapshotEvery, useHistorySnapshotsEvery } from '@primetrade/projector';
import { historyCoverage } from '@primetrade/read-model';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';
import { boardViewOf } from '../boards/stateViews.js';
import { historyCsv, historyOf, pageOfHistory, stateAt, type HistoryFilter } from './history.js';

const every = 4;
let api: BoardApiHarness;
let board: BoardFixture;
let events: Envelope[];
const taskIds: string[] = [];

/** A busy board: tasks created, renamed, moved, commented, deleted, and changes undone, by two people. */
async function liveABoard(random: () => number): Promise<void> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const h = `/boards/${board.boardId}`;
  for (let step = 0; step < 70; step += 1) {
    const as = pick([board.owner, board.editor]);
    const taskId = pick(taskIds);
    const roll = random();
    if (taskIds.length < 3 || roll < 0.15) {
      const created = await api.request('POST', `${h}/tasks`, { as, body: { title: `Task ${step}` } });
      taskIds.push(String(created.body.id));
    } else if (roll < 0.35) {
      await api.request('PATCH', `/tasks/${taskId}`, {
        as,
        body: { title: `T${step}`, priority: pick(['low', 'high']) },
      });
    } else if (roll < 0.55) {
      await api.request('POST', `/tasks/${taskId}/move`, { as, body: { columnId: pick(board.columns).id } });
    } else if (roll < 0.75) {
      await api.request('POST', `/tasks/${taskId}/comments`, { as, body: { body: `=note "${step}"` } });
    } else if (roll < 0.82) {
      await api.request('DELETE', `/tasks/${taskId}`, { as });
    } else {
      const revision = Math.floor(
        random() * (Number(await api.store.streamRevision(boardStreamId(board.boardId))) + 1),
      );
      await api.request('POST', `${h}/undo`, { as: board.owner, body: { revision } });
    }
  }
}

beforeAll(async () => {
  useHistorySnapshotsEvery(every);
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
  await liveABoard(seededRandom(13));
  events = (await api.store.readStream(boardStreamId(board.boardId))).map(toEnvelope);
}, 120_000);
afterAll(async () => {
  useHistorySnapshotsEvery(defaultSnapshotEvery);
  await api.close();
});

const get = (path: string) => api.request('GET', path, { as: board.owner });

/** Every page of a filtered history, each compared with the fold's page of the same query. */
async function expectPagesEqual(filter: HistoryFilter, limit: number, path = `/boards/${board.boardId}/history`) {
  const params = new URLSearchParams({ limit: String(limit) });
  for (const [key, value] of Object.entries(filter)) if (typeof value === 'string') params.set(key, value);
  let before: number | undefined;
  for (let page = 0; page < 200; page += 1) {
    const response = await get(`${path}?${params.toString()}${before === undefined ? '' : `&before=${before}`}`);
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toBe(JSON.stringify(pageOfHistory(events, { ...filter, before, limit })));
    if (response.body.nextBefore === null) return;
    before = response.body.nextBefore as number;
  }
  throw new Error('pages never ended');
}

async function expectEverythingEqual(): Promise<void> {
  const h = `/boards/${board.boardId}`;
  const middle = events[Math.floor(events.length / 2)]!.occurredAt;
  const filters: HistoryFilter[] = [
    {},
    { taskId: taskIds[0] },
    { taskId: taskIds.at(-1) },
    { actorId: board.editor },
    { from: middle },
    { to: middle },
    { from: events[3]!.occurredAt, to: middle, actorId: board.owner },
  ];
  for (const filter of filters) for (const limit of [1, 7, 500]) await expectPagesEqual(filter, limit);
  // A task route answers for a task that still exists (a deleted one's history: the board's, filtered).
  const final = stateAt(events, { revision: events.length - 1 });
  const alive = taskIds.find((taskId) => final.status !== 'initial' && final.tasks[taskId] !== undefined);
  expect(alive).toBeDefined();
  await expectPagesEqual({ taskId: alive }, 3, `/tasks/${alive}/history`);
  const json = await get(`${h}/history/export`);
  expect(JSON.stringify(json.body)).toBe(JSON.stringify(historyOf(events)));
  const csv = await get(`${h}/history/export?format=csv&actorId=${board.editor}`);
  expect(csv.body).toBe(historyCsv(historyOf(events, { actorId: board.editor })));
  for (const event of events) {
    const then = stateAt(events, { revision: event.revision });
    const expected = {
      view: await boardViewOf(api.sql, then),
      asOf: { revision: event.revision, occurredAt: event.occurredAt },
    };
    expect(JSON.stringify((await get(`${h}/at?revision=${event.revision}`)).body)).toBe(JSON.stringify(expected));
  }
  for (const event of events.filter((_, index) => index % 9 === 4)) {
    const then = stateAt(events, { at: event.occurredAt });
    if (then.status === 'initial') throw new Error('the board exists at its own events');
    const occurredAt = events[then.revision]!.occurredAt;
    const expected = { view: await boardViewOf(api.sql, then), asOf: { revision: then.revision, occurredAt } };
    const response = await get(`${h}/at?time=${encodeURIComponent(event.occurredAt)}`);
    expect(JSON.stringify(response.body)).toBe(JSON.stringify(expected));
  }
}

describe('History from the read model', () => {
  it('covers the board, with a snapshot every K events', async () => {
    expect(await historyCoverage(api.sql, board.boardId)).toEqual({ head: events.length - 1, complete: true });
    const [row] = await api.sql.query<{ n: string }>('SELECT count(*) AS n FROM board_snapshots WHERE board_id = $1', [
      board.boardId,
    ]);
    expect(Number(row?.n)).toBe(Math.floor(events.length / every));
  });

  it('answers every page, filter, export and point in time exactly as the fold of the stream', async () => {
    await expectEverythingEqual();
  }, 120_000);

  it('answers the same from the stream for a board whose rows are missing (projected before they existed)', async () => {
    await api.sql.query('DELETE FROM board_history WHERE board_id = $1 AND revision > 5', [board.boardId]);
    expect((await historyCoverage(api.sql, board.boardId))?.complete).toBe(false);
    await expectEverythingEqual();
  }, 120_000);
});

describe('Read-your-writes', () => {
  it('waits for the projection when Min-Revision names a revision it has not applied yet', async () => {
    const manual = await createBoardApiHarness({ projection: 'manual' });
    try {
      const fixture = await createBoardFixture(manual);
      await manual.project();
      const written = await manual.request('POST', `/boards/${fixture.boardId}/tasks`, {
        as: fixture.owner,
        body: { title: 'Fresh' },
      });
      const revision = Number(/\d+/.exec(written.headers.get('etag') ?? '')?.[0]);
      const path = `/boards/${fixture.boardId}/history?limit=1`;
      const stale = await manual.request('GET', path, { as: fixture.owner });
      expect(stale.body.revision).toBe(revision - 1);
      const reading = manual.request('GET', path, { as: fixture.owner, headers: { 'Min-Revision': String(revision) } });
      await manual.project();
      const fresh = await reading;
      expect(fresh.status).toBe(200);
      expect(fresh.body.revision).toBe(revision);
      expect(fresh.body.entries[0]).toMatchObject({ revision, type: 'TaskCreated' });
      const at = await manual.request('GET', `/boards/${fixture.boardId}/at?revision=${revision}`, {
        as: fixture.owner,
        headers: { 'Min-Revision': String(revision) },
      });
      expect(at.status).toBe(200);
    } finally {
      await manual.close();
    }
  });
});
