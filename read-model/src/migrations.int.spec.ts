import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestPglite, type Sql } from '@primetrade/platform';
import { migrationsDirectory, runMigrations } from './migrations.js';
import { createPgSearchIndex } from './search/pgSearchIndex.js';

const versions = readdirSync(migrationsDirectory)
  .filter((file) => /^\d+\.do\..+\.sql$/.test(file))
  .map((file) => Number(file.split('.')[0]))
  .sort((a, b) => a - b);

describe('runMigrations', () => {
  it('finds the migrations beside src and dist', () => {
    expect(versions.slice(0, 3)).toEqual([1, 2, 3]);
  });

  describe('on PGlite', () => {
    let sql: Sql;
    // Creating PGlite can take long on a loaded machine: a hook has the longer timeout.
    beforeAll(async () => {
      sql = await createTestPglite();
    });
    afterAll(() => sql.close());

    it('applies every migration once, records it in schema_version, and does nothing the second time', async () => {
      const logged: object[] = [];
      const logger = {
        debug: () => undefined,
        info: (obj: object) => logged.push(obj),
        warn: () => undefined,
        error: () => undefined,
      };
      await runMigrations(sql, logger);
      await runMigrations(sql, logger);
      const rows = await sql.query<{ version: string }>(
        'SELECT version FROM schema_version WHERE version > 0 ORDER BY version',
      );
      expect(rows.map((row) => Number(row.version))).toEqual(versions);
      expect(logged).toHaveLength(versions.length);
      expect(await sql.query("SELECT to_regclass('public.tasks') AS t")).toEqual([{ t: 'tasks' }]);
    });
  });

  describe('008, column counts', () => {
    it('counts the live tasks of each column of task_stats projected before it, and no empty column', async () => {
      const database = await createTestDatabase('projector_migration_008');
      const { sql } = database;
      try {
        await runMigrations(sql, undefined, { to: '007' });
        const [board, todo, done, gone] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        const task = (column: string, archived: boolean, deleted: boolean) =>
          sql.query(
            `INSERT INTO task_stats (task_id, board_id, column_id, archived, deleted, status, created_at)
             VALUES ($1, $2, $3, $4, $5, 'open', now())`,
            [randomUUID(), board, column, archived, deleted],
          );
        await task(todo, false, false);
        await task(todo, false, false);
        await task(todo, true, false);
        await task(done, false, false);
        await task(gone, false, true);

        await runMigrations(sql);

        const rows = await sql.query<{ column_id: string; tasks: number }>(
          'SELECT column_id, tasks FROM column_counts WHERE board_id = $1 ORDER BY tasks',
          [board],
        );
        expect(rows).toEqual([
          { column_id: done, tasks: 1 },
          { column_id: todo, tasks: 2 },
        ]);
      } finally {
        await database.drop();
      }
    });
  });

  describe('012, accent folding of the search index', () => {
    it('folds the documents indexed before it, so "cafe" finds the task titled "Café"', async () => {
      const database = await createTestDatabase('read_model_migration_012');
      const { sql } = database;
      try {
        await runMigrations(sql, undefined, { to: '011' });
        const [board, viewer, task] = [randomUUID(), randomUUID(), randomUUID()];
        await sql.query('INSERT INTO search_board_members (user_id, board_id) VALUES ($1, $2)', [viewer, board]);
        await sql.query(
          `INSERT INTO search_tasks (id, board_id, column_id, title, description, labels, comments, assignee_ids,
             priority, priority_rank, status, archived, created_at, updated_at, revision, search)
           VALUES ($1, $2, $3, 'Café opening', '', '{}', '{}', '{}', 'medium', 1, 'open', false, now(), now(), 1,
             to_tsvector('simple', 'Café opening'))`,
          [task, board, randomUUID()],
        );

        await runMigrations(sql);

        const found = await createPgSearchIndex(sql).search({ viewerId: viewer, text: 'cafe', limit: 5 });
        expect(found.items.map((hit) => hit.task.title)).toEqual(['Café opening']);
      } finally {
        await database.drop();
      }
    });
  });

  describe('007, one notification per person, task and command', () => {
    it('keeps one of the notifications a split redelivery stored for one command (the most specific), and every other', async () => {
      const database = await createTestDatabase('projector_migration_007');
      const { sql } = database;
      try {
        await runMigrations(sql, undefined, { to: '006' });
        const [user, actor, task, board] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        const at = '2026-03-01T12:00:00.123Z';
        const insert = (kind: string, createdAt: string, eventId: string | null, dueDate: string | null = null) =>
          sql.query(
            `INSERT INTO notifications (id, user_id, kind, board_id, task_id, event_id, actor_id, due_date, task_title, summary, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'T', 's', $9)`,
            [randomUUID(), user, kind, board, task, eventId, kind === 'due_soon' ? null : actor, dueDate, createdAt],
          );
        // One command's events (one actor, one instant) split over two deliveries: two rows.
        await insert('followed', at, randomUUID());
        await insert('assigned', at, randomUUID());
        // Another command by the same actor a moment later, and two due-soon warnings: all kept.
        await insert('followed', '2026-03-01T12:00:01.000Z', randomUUID());
        await insert('due_soon', at, null, '2026-03-02T00:00:00.000Z');
        await insert('due_soon', at, null, '2026-03-03T00:00:00.000Z');

        await runMigrations(sql);

        const rows = await sql.query<{ kind: string; correlation_id: string | null }>(
          'SELECT kind, correlation_id FROM notifications ORDER BY created_at, kind',
          [],
        );
        expect(rows.map((row) => row.kind)).toEqual(['assigned', 'due_soon', 'due_soon', 'followed']);
        expect(rows.filter((row) => row.kind === 'due_soon').map((row) => row.correlation_id)).toEqual([null, null]);
        expect(new Set(rows.filter((row) => row.kind !== 'due_soon').map((row) => row.correlation_id)).size).toBe(2);
      } finally {
        await database.drop();
      }
    });
  });

  describe('on PostgreSQL', () => {
    it('lets concurrent runners (two nodes starting at once) apply each migration exactly once', async () => {
      const database = await createTestDatabase('projector_migrations', { max: 4 });
      try {
        await Promise.all([runMigrations(database.sql), runMigrations(database.sql), runMigrations(database.sql)]);
        const rows = await database.sql.query<{ version: string }>(
          'SELECT version FROM schema_version WHERE version > 0 ORDER BY version',
        );
        expect(rows.map((row) => Number(row.version))).toEqual(versions);
      } finally {
        await database.drop();
      }
    });
  });
});
