import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgresPair, type TestPostgresPair } from '../testkit/postgresPair.testkit.js';
import { createPostgresSql } from './postgresSql.js';
import { createReadRouting, type ReadRouting } from './readRouting.js';
import type { Sql } from './sql.port.js';

let pair: TestPostgresPair;
let primary: Sql;
let routing: ReadRouting;
let replicaAdmin: Sql;

const standby = async (sql: Sql) =>
  (await sql.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby'))[0]?.standby;

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  pair = await createTestPostgresPair();
  primary = createPostgresSql({ connectionString: pair.primaryUrl(), max: 4 });
  await primary.exec('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
  routing = createReadRouting({ primary, replicaUrls: [pair.replicaUrl()], maxLagMs: 400, checkIntervalMs: 100 });
  replicaAdmin = createPostgresSql({ connectionString: pair.replicaUrl(), max: 1 });
  await eventually(() => routing.pick() !== null);
  // The table exists on the replica once its replay passed the CREATE (a few milliseconds).
  await eventually(async () => (await replicaAdmin.query("SELECT to_regclass('notes') AS t"))[0]?.['t'] != null);
}, 60_000);

afterAll(async () => {
  await replicaAdmin?.close();
  await routing?.sql.close();
  await pair?.remove();
});

describe('Read routing over a primary and a streaming replica', () => {
  it('sends a read’s queries to the replica it was given, and everything else to the primary', async () => {
    const replica = routing.pick();
    expect(replica).not.toBeNull();
    const inside = await routing.run(replica, async () => ({
      query: await standby(routing.sql),
      tx: await routing.sql.tx(async (tx) => (await tx.query<{ s: boolean }>('SELECT pg_is_in_recovery() AS s'))[0]?.s),
    }));
    expect(inside).toEqual({ query: true, tx: false });
    expect(await standby(routing.sql)).toBe(false);
    expect(await routing.run(null, () => standby(routing.sql))).toBe(false);
  });

  it('finishes a read that writes on the primary (the replica refuses the write), and stays there', async () => {
    const replica = routing.pick();
    const before = routing.status().replicas[0]?.fallbacks ?? 0;
    const outcome = await routing.run(replica, async () => {
      await routing.sql.query('INSERT INTO notes (body) VALUES ($1)', ['written during a read']);
      return standby(routing.sql);
    });
    expect(outcome).toBe(false);
    expect(routing.status().replicas[0]?.fallbacks).toBe(before + 1);
    const rows = await primary.query<{ body: string }>('SELECT body FROM notes WHERE body = $1', [
      'written during a read',
    ]);
    expect(rows).toHaveLength(1);
  });

  it('passes statement errors through instead of retrying them on the primary', async () => {
    const before = routing.status().replicas[0]?.fallbacks ?? 0;
    await expect(
      routing.run(routing.pick(), () => routing.sql.query('SELECT no_such_column FROM notes')),
    ).rejects.toMatchObject({
      code: '42703',
    });
    expect(routing.status().replicas[0]?.fallbacks).toBe(before);
  });

  it('takes a replica whose replay lags beyond the bound out, and back once it caught up', async () => {
    await replicaAdmin.query('SELECT pg_wal_replay_pause()');
    try {
      // Writes keep the primary's WAL moving while the replica's replay stands still.
      await eventually(async () => {
        await primary.query('INSERT INTO notes (body) VALUES ($1)', ['lag']);
        return routing.status().replicas[0]?.state === 'lagging';
      });
      expect(routing.pick()).toBeNull();
      expect(routing.status().replicas[0]?.lagMs).toBeGreaterThan(400);
    } finally {
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    }
    await eventually(() => routing.pick() !== null);
    expect(routing.status().replicas[0]).toMatchObject({ state: 'in' });
  });

  it('falls back to the primary while the replica is stopped, and uses it again once restarted', async () => {
    const replica = routing.pick();
    await pair.replica.stop();
    // A read that started on the replica a moment before it went away finishes on the primary.
    expect(await routing.run(replica, () => standby(routing.sql))).toBe(false);
    await eventually(() => routing.status().replicas[0]?.state === 'down');
    expect(routing.pick()).toBeNull();
    await pair.replica.start();
    await eventually(() => routing.pick() !== null);
    expect(await routing.run(routing.pick(), () => standby(routing.sql))).toBe(true);
  }, 60_000);
});
