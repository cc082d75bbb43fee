import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestPglite } from '../testkit/pglite.testkit.js';
import { createTestDatabase } from '../testkit/postgres.testkit.js';
import type { TestDatabase } from '../testkit/postgres.testkit.js';
import { createPostgresSql } from './postgresSql.js';
import { copyRow, keepPlan, keptPlanName, type Sql } from './sql.port.js';

const waitUntil = (check: () => boolean, timeoutMs = 5_000): Promise<void> =>
  vi.waitFor(() => expect(check()).toBe(true), { timeout: timeoutMs, interval: 20 });

function sqlPortBehaviour(name: string, getSql: () => Sql): void {
  describe(`Sql port: ${name}`, () => {
    it('returns int8 as a string, timestamptz as a Date and jsonb parsed', async () => {
      const [row] = await getSql().query<{ big: unknown; at: unknown; doc: unknown }>(
        `SELECT 9007199254740993::int8 AS big, '2026-01-02T03:04:05Z'::timestamptz AS at, $1::jsonb AS doc`,
        [JSON.stringify({ a: [1, 'x'] })],
      );
      expect(row?.big).toBe('9007199254740993');
      expect(row?.at).toEqual(new Date('2026-01-02T03:04:05Z'));
      expect(row?.doc).toEqual({ a: [1, 'x'] });
    });

    it('commits a transaction, and rolls back one that throws', async () => {
      const sql = getSql();
      await sql.exec('CREATE TABLE IF NOT EXISTS port_tx (n int)');
      await sql.tx(async (tx) => {
        await tx.query('INSERT INTO port_tx VALUES ($1)', [1]);
      });
      const failed = sql.tx(async (tx) => {
        await tx.query('INSERT INTO port_tx VALUES ($1)', [2]);
        throw new Error('abort');
      });
      await expect(failed).rejects.toThrow('abort');
      expect(await sql.query('SELECT n FROM port_tx ORDER BY n')).toEqual([{ n: 1 }]);
    });

    it('copies rows in COPY text format, keeping every character and json text as given', async () => {
      const sql = getSql();
      await sql.exec('CREATE TABLE port_copy (id int PRIMARY KEY, body text, doc json, amount float8)');
      const awkward = 'tab\there, line\nbreak, return\r, back\\slash, \\N, quote \' " and ünïcödé ✓';
      const doc = '{"b": [1, "x\\ty"],  "a":null}';
      await sql.copyFrom(
        'port_copy',
        ['id', 'body', 'doc', 'amount'],
        copyRow([1, awkward, doc, 1.5]) + copyRow([2, null, null, null]) + copyRow([3, '', '[]', 1_733_529_600_123]),
      );
      const rows = await sql.query<{ id: number; body: string | null; doc: string | null; amount: number | null }>(
        'SELECT id, body, doc::text AS doc, amount FROM port_copy ORDER BY id',
      );
      expect(rows).toEqual([
        { id: 1, body: awkward, doc, amount: 1.5 },
        { id: 2, body: null, doc: null, amount: null },
        { id: 3, body: '', doc: '[]', amount: 1_733_529_600_123 },
      ]);
    });

    it('fails a COPY with a bad row whole, rolls its transaction back, and goes on serving', async () => {
      const sql = getSql();
      await sql.exec('CREATE TABLE port_copy_bad (id int PRIMARY KEY, doc json)');
      const rows = copyRow([1, '{}']) + copyRow([2, '{not json']);
      await expect(sql.copyFrom('port_copy_bad', ['id', 'doc'], rows)).rejects.toThrow(/json/i);
      const inTx = sql.tx(async (tx) => {
        await tx.query('INSERT INTO port_copy_bad VALUES (10, $1)', ['{}']);
        await tx.copyFrom('port_copy_bad', ['id', 'doc'], copyRow([11, '{}']) + copyRow([10, '{}']));
      });
      await expect(inTx).rejects.toThrow(/duplicate key/);
      expect(await sql.query('SELECT id FROM port_copy_bad')).toEqual([]);
      await sql.tx((tx) => tx.copyFrom('port_copy_bad', ['id', 'doc'], copyRow([20, '{}'])));
      expect(await sql.query('SELECT id FROM port_copy_bad')).toEqual([{ id: 20 }]);
    });

    it('answers a statement whose plan is kept like any other, in and out of transactions', async () => {
      const sql = getSql();
      const text = keepPlan('SELECT $1::int + 1 AS next, $2::text AS label');
      expect(await sql.query(text, [1, 'a'])).toEqual([{ next: 2, label: 'a' }]);
      expect(await sql.tx((tx) => tx.query(text, [41, 'b']))).toEqual([{ next: 42, label: 'b' }]);
      await expect(sql.query(text, ['not a number', 'c'])).rejects.toThrow();
      expect(await sql.query(text, [2, 'd'])).toEqual([{ next: 3, label: 'd' }]);
    });

    it('delivers a NOTIFY to a listener until it unlistens', async () => {
      const sql = getSql();
      const payloads: string[] = [];
      const unlisten = await sql.listen('port_channel', (payload) => payloads.push(payload));
      await sql.query(`SELECT pg_notify('port_channel', 'one')`);
      await waitUntil(() => payloads.length === 1);
      await unlisten();
      await sql.query(`SELECT pg_notify('port_channel', 'two')`);
      await sleep(200);
      expect(payloads).toEqual(['one']);
    });
  });
}

describe('Sql adapters', () => {
  let pglite: Sql;
  let database: TestDatabase;
  beforeAll(async () => {
    [pglite, database] = await Promise.all([createTestPglite(), createTestDatabase('sql_port')]);
  });
  afterAll(async () => {
    await Promise.all([pglite.close(), database.drop()]);
  });

  sqlPortBehaviour('PGlite', () => pglite);
  sqlPortBehaviour('PostgreSQL', () => database.sql);

  it('fails a PostgreSQL transaction whose session the server ended between two statements, without an uncaught error', async () => {
    const outcome = database.sql.tx(async (tx) => {
      const [own] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Ended from another session while this one is idle in its transaction (as the
      // idle-in-transaction timeout does): the checked-out client emits 'error' with no query running.
      await database.sql.query('SELECT pg_terminate_backend($1)', [own!.pid]);
      await sleep(200);
      return tx.query('SELECT 1');
    });
    await expect(outcome).rejects.toThrow();
    // The pool replaced the client: the next transaction works.
    await expect(database.sql.tx((tx) => tx.query('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
  });

  it('prepares a kept statement once per PostgreSQL connection, and re-resolves its tables after they are swapped', async () => {
    // One connection, so every call meets the statement prepared by the first.
    const one = createPostgresSql({ connectionString: database.url, max: 1 });
    try {
      await one.exec(`CREATE TABLE kept_live (v text); INSERT INTO kept_live VALUES ('old');
                      CREATE SCHEMA kept_fresh; CREATE TABLE kept_fresh.kept_live (v text);
                      INSERT INTO kept_fresh.kept_live VALUES ('new'); CREATE SCHEMA kept_old`);
      const text = keepPlan('SELECT v FROM kept_live WHERE v <> $1');
      expect(await one.query(text, [''])).toEqual([{ v: 'old' }]);
      await one.tx(async (tx) => {
        await tx.exec('SET LOCAL plan_cache_mode = force_generic_plan');
        expect(await tx.query(text, [''])).toEqual([{ v: 'old' }]);
      });
      const prepared = await one.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
      expect(prepared.map((row) => row.name)).toEqual([keptPlanName(text)]);
      // A rebuild's switch-over moves tables between schemas (read-model/src/readModelSchema.ts).
      await one.exec(
        'ALTER TABLE public.kept_live SET SCHEMA kept_old; ALTER TABLE kept_fresh.kept_live SET SCHEMA public',
      );
      expect(await one.query(text, [''])).toEqual([{ v: 'new' }]);
    } finally {
      await one.close();
    }
  });

  describe('PostgreSQL listener', () => {
    describe('when its connection is killed', () => {
      it('reconnects, reports the gap as a notification, and hears later ones', async () => {
        const payloads: string[] = [];
        const unlisten = await database.sql.listen('port_reconnect', (payload) => payloads.push(payload));
        await database.sql.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%:listen'`,
        );
        await waitUntil(() => payloads.includes(''), 10_000);
        await database.sql.query(`SELECT pg_notify('port_reconnect', 'after')`);
        await waitUntil(() => payloads.includes('after'));
        await unlisten();
      });
    });
  });
});
