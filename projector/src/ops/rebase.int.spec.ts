import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createSqlEventStore,
  createTestDatabase,
  loadOpsConfig,
  rebaseTransactionIds,
  readTxidState,
  uniqueTopic,
  type TestDatabase,
} from '@primetrade/platform';
import { runMigrations } from '@primetrade/read-model';
import { createLeaderLease } from '../relayLease.js';
import { appendHistories, boardHistories } from '../testing/boardHistory.testkit.js';
import { waitFor } from '../testing/wait.testkit.js';
import { exitCodes } from './cli.js';
import { runCommand } from './commands.js';
import { openConnections, type OpsConnections } from './connections.js';
import { rebaseUnderRelayLease } from './rebaseUnderLease.js';

const logger = createLogger({ level: 'silent' });

/**
 * `rebase-txids` must not run under a live relay: it holds the relay's lease itself while it works,
 * and refuses while another process holds it. The restore is modelled as in
 * platform/src/eventStore/txidRebase.int.spec.ts: stored ids a billion transactions ahead.
 */
describe('ops `rebase-txids` and the relay lease', () => {
  let database: TestDatabase;
  let connections: OpsConnections;
  const topic = uniqueTopic('ops-rebase');
  const leaseName = `relay:${topic}`;
  const output = { out: '', err: '' };
  const io = { out: (text: string) => void (output.out += text), err: (text: string) => void (output.err += text) };
  const rebase = () =>
    runCommand(
      { name: 'rebase-txids', check: false },
      { config: loadOpsConfig({ DATABASE_URL: database.url, KAFKA_TOPIC: topic }), connections, logger, io },
    );
  const relay = (holder: string) => createLeaderLease({ sql: database.sql, name: leaseName, holder, ttlMs: 60_000 });

  beforeEach(async () => {
    database = await createTestDatabase('ops_rebase');
    await runMigrations(database.sql);
    const store = await createSqlEventStore(database.sql);
    const appended = await appendHistories(store, boardHistories({ boards: 2, eventsPerBoard: 3, seed: 5 }), 2);
    await waitFor(async () => (await store.readAll()).length === appended, 'the feed shows every event', 20_000);
    await store.close();
    await database.sql.exec(
      'UPDATE event_store.events SET transaction_id = (transaction_id::text::bigint + 1000000000)::text::xid8',
    );
    expect((await readTxidState(database.sql)).needsRebase).toBe(true);
    connections = openConnections(loadOpsConfig({ DATABASE_URL: database.url, KAFKA_TOPIC: topic }), logger);
    output.out = '';
    output.err = '';
  });
  afterEach(async () => {
    await connections.close();
    await database.drop();
  });

  it('refuses while a live relay holds the lease, naming it, with exit code 4 and nothing changed', async () => {
    const live = relay('relay-node-1');
    expect(await live.campaign()).not.toBeNull();
    expect(await rebase()).toBe(exitCodes.refused);
    expect(output.err).toMatch(/relay-node-1/);
    expect(output.err).toMatch(/stop every relay/i);
    expect((await readTxidState(database.sql)).needsRebase).toBe(true);
    // The relay keeps its lease.
    expect(await live.campaign()).not.toBeNull();
  });

  it('runs when the relay’s lease has expired, and releases the lease after, so a relay takes it at once', async () => {
    expect(await relay('relay-node-1').campaign()).not.toBeNull();
    await database.sql.query("UPDATE relay_leases SET expires_at = now() - interval '1 second' WHERE name = $1", [
      leaseName,
    ]);
    expect(await rebase()).toBe(exitCodes.ok);
    expect(output.out).toMatch(/^rebased:/);
    expect((await readTxidState(database.sql)).needsRebase).toBe(false);
    expect(await relay('relay-node-2').campaign()).not.toBeNull();
  });

  it('holds the lease while it rebases: a relay starting meanwhile stays a standby', async () => {
    let relayDuringRebase: bigint | null | undefined;
    const leased = await rebaseUnderRelayLease({
      readSql: database.sql,
      storeSql: database.sql,
      leaseName,
      rebase: async (storeSql) => {
        relayDuringRebase = await relay('relay-node-1').campaign();
        return rebaseTransactionIds(storeSql);
      },
    });
    expect(relayDuringRebase).toBeNull();
    expect(leased.refused).toBeNull();
    expect((await readTxidState(database.sql)).needsRebase).toBe(false);
  });

  it('refuses while the relay of another topic runs: every relay reads the same store', async () => {
    const other = createLeaderLease({
      sql: database.sql,
      name: `relay:${topic}-other`,
      holder: 'relay-other-topic',
      ttlMs: 60_000,
    });
    expect(await other.campaign()).not.toBeNull();
    expect(await rebase()).toBe(exitCodes.refused);
    expect(output.err).toMatch(/relay-other-topic/);
    expect((await readTxidState(database.sql)).needsRebase).toBe(true);
    // Its own hold on this topic's lease was given back.
    expect(await relay('relay-node-1').campaign()).not.toBeNull();
  });
});
