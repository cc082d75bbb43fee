import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '@primetrade/platform';
import {
  createProjectionProgress,
  readModelBackends,
  type MigratedDatabase,
  type ProjectionProgress,
} from '@primetrade/read-model';
import { applyEnvelopes } from './applyBatch.js';
import { BoardStream } from './testing/boardEvents.testkit.js';

// A re-check far beyond every wait below: a wait that ends in time was woken by NOTIFY.
const noPoll = { safetyRecheckMs: 60_000 };

describe.each(readModelBackends('progress'))('projection progress on $name', ({ open }) => {
  let database: MigratedDatabase;
  let sql: Sql;
  let progress: ProjectionProgress;

  beforeAll(async () => {
    database = await open();
    sql = database.sql;
    progress = createProjectionProgress(sql, noPoll);
  });
  afterAll(async () => {
    await progress.close();
    await database.drop();
  });

  it('answers at once when the read model is already there', async () => {
    const board = new BoardStream();
    await applyEnvelopes(sql, board.create());
    await expect(progress.waitForBoards(new Map([[board.boardId, board.revision]]), 1)).resolves.toBe(true);
  });

  it('is woken by the batch that brings the board to the revision, not by a poll', async () => {
    const board = new BoardStream();
    const first = board.create();
    const later = [board.addMember(randomUUID()), board.addMember(randomUUID())];
    await applyEnvelopes(sql, first);
    const waiting = progress.waitForBoards(new Map([[board.boardId, board.revision]]), 20_000);
    let settled = false;
    void waiting.then(() => (settled = true));
    await applyEnvelopes(sql, later.slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    await applyEnvelopes(sql, later.slice(1));
    await expect(waiting).resolves.toBe(true);
  });

  it('waits for every board of a vector', async () => {
    const a = new BoardStream();
    const b = new BoardStream();
    const waiting = progress.waitForBoards(
      new Map([
        [a.boardId, 0],
        [b.boardId, 0],
      ]),
      20_000,
    );
    await applyEnvelopes(sql, a.create().slice(0, 1));
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    await applyEnvelopes(sql, b.create().slice(0, 1));
    await expect(waiting).resolves.toBe(true);
  });

  it('times out with false when the projection does not get there', async () => {
    const board = new BoardStream();
    await applyEnvelopes(sql, board.create());
    await expect(progress.waitForBoards(new Map([[board.boardId, board.revision + 5]]), 150)).resolves.toBe(false);
    await expect(progress.waitForBoards(new Map([[randomUUID(), 0]]), 50)).resolves.toBe(false);
  });

  it('the slow re-check finds progress whose notification it never saw', async () => {
    const quick = createProjectionProgress(sql, { safetyRecheckMs: 50 });
    const board = new BoardStream();
    await applyEnvelopes(sql, board.create());
    const waiting = quick.waitForBoards(new Map([[board.boardId, board.revision + 1]]), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Moved behind the waiter's back: no NOTIFY is sent for this write.
    await sql.query('UPDATE projection_checkpoints SET last_revision = last_revision + 1 WHERE board_id = $1', [
      board.boardId,
    ]);
    await expect(waiting).resolves.toBe(true);
    await quick.close();
  });
});
