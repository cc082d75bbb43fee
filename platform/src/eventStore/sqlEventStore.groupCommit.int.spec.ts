import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../sql/sql.port.js';
import { createTestDatabase, type TestDatabase } from '../testkit/postgres.testkit.js';
import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import type { AppendResult, EventStore, EventToAppend } from './eventStore.port.js';
import { readAllSettled } from './eventStore.contractSuite.js';
import { createSqlEventStore } from './sqlEventStore.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('group_commit', { max: 8 });
});
afterAll(async () => {
  await database.drop();
});

const event = (n = 0): EventToAppend => ({ id: randomUUID(), type: 'Tested', data: { n }, metadata: {} });

/** `sql` that counts the group-commit statements and the items each carried. */
function countingBatches(sql: Sql): { sql: Sql; batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    sql: {
      ...sql,
      query<R extends object>(text: string, params: readonly unknown[] = []) {
        if (text.includes('.append_events_many(')) batches.push((JSON.parse(String(params[0])) as unknown[]).length);
        return sql.query<R>(text, params);
      },
    },
  };
}

type Outcome = { ok: AppendResult } | { error: unknown };
const outcome = (append: Promise<AppendResult>): Promise<Outcome> =>
  append.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );

describe('SQL event store: group commit (docs/adr/0021-group-commit-of-appends.md)', () => {
  let store: EventStore;
  let batches: number[];
  let schema: string;

  const open = async () => {
    schema = `es_${randomBytes(5).toString('hex')}`;
    const counting = countingBatches(database.sql);
    batches = counting.batches;
    store = await createSqlEventStore(counting.sql, { schema, pollIntervalMs: 60_000, groupCommit: true });
  };
  afterEach(async () => {
    await store.close();
    await database.sql.exec(`DROP SCHEMA "${schema}" CASCADE`);
  });

  /** The first append takes the only slot; the rest wait for it and go as one batch. */
  const behindOne = async (appends: (() => Promise<AppendResult>)[]): Promise<Outcome[]> => {
    const first = outcome(store.appendToStream(`first-${randomUUID()}`, [event()]));
    const rest = appends.map((append) => outcome(append()));
    await first;
    return Promise.all(rest);
  };

  it('sends appends that arrive while one is on the way as one statement, each with its own result', async () => {
    await open();
    const streams = Array.from({ length: 12 }, (_, n) => `s-${n}`);
    const outcomes = await behindOne(streams.map((id) => () => store.appendToStream(id, [event(), event()])));
    expect(batches).toEqual([12]);
    for (const [index, id] of streams.entries()) {
      const stored = await store.readStream(id);
      expect(stored.map((e) => e.revision)).toEqual([0n, 1n]);
      expect(outcomes[index]).toEqual({ ok: { nextExpectedRevision: 1n, position: stored[1]?.position } });
    }
  });

  it('refuses only the item whose expected revision is wrong; the others commit', async () => {
    await open();
    await store.appendToStream('taken', [event()]);
    const outcomes = await behindOne([
      () => store.appendToStream('taken', [event()], { expectedRevision: 'no_stream' }),
      () => store.appendToStream('fresh', [event()], { expectedRevision: 'no_stream' }),
      () => store.appendToStream('taken', [event()], { expectedRevision: 5n }),
    ]);
    expect(batches).toEqual([3]);
    expect((outcomes[0] as { error: unknown }).error).toBeInstanceOf(WrongExpectedVersionError);
    expect(outcomes[1]).toMatchObject({ ok: { nextExpectedRevision: 0n } });
    expect((outcomes[2] as { error: unknown }).error).toBeInstanceOf(WrongExpectedVersionError);
    expect(await store.streamRevision('taken')).toBe(0n);
  });

  it('decides a stored id alone: the duplicate is refused, a retry answers as before, the others commit', async () => {
    await open();
    const stored = event();
    const retried = [event(), event()];
    const first = await store.appendToStream('retried', retried, { expectedRevision: 'no_stream' });
    await store.appendToStream('holder', [stored]);
    const outcomes = await behindOne([
      () => store.appendToStream('thief', [stored]),
      () => store.appendToStream('retried', retried, { expectedRevision: 'no_stream' }),
      () => store.appendToStream('other', [event()]),
    ]);
    expect(batches).toEqual([3]);
    expect((outcomes[0] as { error: unknown }).error).toBeInstanceOf(DuplicateEventIdError);
    expect(outcomes[1]).toEqual({ ok: first });
    expect(outcomes[2]).toMatchObject({ ok: { nextExpectedRevision: 0n } });
    expect(await store.streamRevision('thief')).toBeNull();
    expect((await store.readStream('retried')).map((e) => e.id)).toEqual(retried.map((e) => e.id));
  });

  it('appends twice to one stream in one batch in arrival order, as two statements would', async () => {
    await open();
    const [a, b] = [event(1), event(2)];
    const outcomes = await behindOne([
      () => store.appendToStream('twice', [a]),
      () => store.appendToStream('twice', [b], { expectedRevision: 0n }),
      () => store.appendToStream('twice', [event(3)], { expectedRevision: 0n }),
    ]);
    expect(batches).toEqual([3]);
    expect(outcomes.map((o) => ('ok' in o ? o.ok.nextExpectedRevision : 'refused'))).toEqual([0n, 1n, 'refused']);
    expect((await store.readStream('twice')).map((e) => e.id)).toEqual([a.id, b.id]);
  });

  it('feeds a batch to readAll in per-stream order, once', async () => {
    await open();
    const streams = Array.from({ length: 6 }, (_, n) => `feed-${n}`);
    await behindOne(streams.map((id) => () => store.appendToStream(id, [event(0), event(1), event(2)])));
    // The feed shows a commit once no older transaction on the shared server is open: wait for it.
    const all = await readAllSettled(store, { streamPrefix: 'feed-' }, 18);
    expect(all).toHaveLength(18);
    for (const id of streams) {
      expect(all.filter((e) => e.streamId === id).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    }
    expect(new Set(all.map((e) => e.id)).size).toBe(18);
  });
});
