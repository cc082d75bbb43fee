import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/postgres.testkit.js';
import { events } from './eventStore.contractSuite.js';
import { createSqlEventStore } from './sqlEventStore.js';
import { faultyAppendSql } from './sqlEventStore.testkit.js';
import { comparePositions } from './position.js';
import { rebaseTransactionIds, readTxidState, UnrebasedRestoreError } from './txidRebase.js';

const waitForFeed = (read: () => Promise<unknown[]>, count: number): Promise<void> =>
  vi.waitFor(async () => expect((await read()).length).toBeGreaterThanOrEqual(count), {
    timeout: 10_000,
    interval: 25,
  });

/**
 * pg_restore into another cluster writes the stored xid8 values verbatim while that cluster's own
 * counter starts low. One PostgreSQL runs here, so the restore is modelled by moving the stored ids
 * a billion transactions ahead of this cluster — exactly the state a restored table is in.
 */
async function simulateLogicalRestoreFromAnotherCluster(database: TestDatabase, schema: string): Promise<void> {
  await database.sql.exec(
    `UPDATE "${schema}".events SET transaction_id = (transaction_id::text::bigint + 1000000000)::text::xid8`,
  );
}

describe('Transaction ids after a PostgreSQL logical restore (ADR 0013)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('txid_rebase');
  });
  afterAll(async () => {
    await database.drop();
  });

  async function restoredStore() {
    const schema = `es_${randomBytes(4).toString('hex')}`;
    const original = await createSqlEventStore(database.sql, { schema });
    await original.appendToStream('board-a', events(3));
    await original.appendToStream('board-b', events(2));
    await waitForFeed(() => original.readAll(), 5);
    const published = await original.readAll();
    await original.close();
    await simulateLogicalRestoreFromAnotherCluster(database, schema);
    const restored = await database.sql.query<{ id: string }>(`SELECT event_id::text AS id FROM "${schema}".events`);
    expect(restored).toHaveLength(5);
    return {
      schema,
      lastPublished: (await readAllRaw(schema)).at(-1)!,
      publishedIds: published.map((event) => event.id),
    };
  }

  async function readAllRaw(schema: string): Promise<string[]> {
    const rows = await database.sql.query<{ position: string }>(
      `SELECT lpad(transaction_id::text, 20, '0') || '.' || lpad(global_position::text, 20, '0') AS position FROM "${schema}".events ORDER BY transaction_id, global_position`,
    );
    return rows.map((row) => row.position);
  }

  it('refuses to open an un-rebased restore, naming the ops command', async () => {
    const { schema } = await restoredStore();
    const opening = createSqlEventStore(database.sql, { schema });
    await expect(opening).rejects.toBeInstanceOf(UnrebasedRestoreError);
    await expect(createSqlEventStore(database.sql, { schema })).rejects.toThrow(/npm run ops -- rebase-txids/);
    expect((await readTxidState(database.sql, schema)).needsRebase).toBe(true);
  });

  it('after the rebase, old events keep their positions and new ones sort after every one of them', async () => {
    const { schema, lastPublished, publishedIds } = await restoredStore();
    const result = await rebaseTransactionIds(database.sql, schema);
    expect(result).toMatchObject({ rebased: true, needsRebase: false, previousOffset: 0n });
    expect(result.offset).toBeGreaterThan(0n);
    const store = await createSqlEventStore(database.sql, { schema });
    // A relay whose checkpoint is the last event it published before the backup.
    const seen: string[] = [];
    const subscription = store.subscribeToAll({ after: lastPublished }, async (batch) => {
      seen.push(...batch.map((event) => event.streamId));
    });
    const appended = await store.appendToStream('board-c', events(2));
    await store.appendToStream('board-a', events(1), { expectedRevision: 2n });
    expect(comparePositions(appended.position, lastPublished)).toBeGreaterThan(0);
    for (let i = 0; i < 200 && seen.length < 3; i += 1) await sleep(25);
    expect(seen).toEqual(['board-c', 'board-c', 'board-a']);
    const all = await store.readAll();
    expect(all.slice(0, 5).map((event) => event.id)).toEqual(publishedIds);
    expect(all).toHaveLength(8);
    await subscription.stop();
    await store.close();
  });

  it('keeps the snapshot rule after a rebase: a later commit waits for an earlier open transaction', async () => {
    const { schema } = await restoredStore();
    await rebaseTransactionIds(database.sql, schema);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store = await createSqlEventStore(
      faultyAppendSql(database.sql, async (id) => (id === 'slow' ? held : undefined)),
      { schema },
    );
    // Another session's open transaction can hold the feed back for a moment (docs/architecture.md): wait for all five.
    await waitForFeed(() => store.readAll(), 5);
    const before = 5;
    const slow = store.appendToStream('slow', events(1));
    await sleep(100);
    await store.appendToStream('fast', events(1));
    expect(await store.readAll()).toHaveLength(before);
    release();
    await slow;
    await waitForFeed(() => store.readAll(), before + 2);
    expect((await store.readAll()).slice(before).map((event) => event.streamId)).toEqual(['slow', 'fast']);
    await store.close();
  });

  it('is a no-op on a store that was not restored, and a second rebase changes nothing', async () => {
    const schema = `es_${randomBytes(4).toString('hex')}`;
    const store = await createSqlEventStore(database.sql, { schema });
    await store.appendToStream('board-a', events(2));
    await store.close();
    expect(await rebaseTransactionIds(database.sql, schema)).toMatchObject({ rebased: false, offset: 0n });
    await simulateLogicalRestoreFromAnotherCluster(database, schema);
    const first = await rebaseTransactionIds(database.sql, schema);
    const second = await rebaseTransactionIds(database.sql, schema);
    expect(second).toMatchObject({ rebased: false, offset: first.offset });
  });
});
