import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelBackends, type MigratedDatabase } from '../testing/database.testkit.js';
import { createPgSearchIndex } from './pgSearchIndex.js';
import { searchChangeFromReadModel } from './searchDocuments.js';

describe.each(readModelBackends('search_documents'))('search documents from the read models on $name', (backend) => {
  let database: MigratedDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('reads whole tasks with their comments, deletes for the missing ones and the members, at the projected revision', async () => {
    const { sql } = database;
    const boardId = randomUUID();
    const owner = randomUUID();
    const viewer = randomUUID();
    const column = randomUUID();
    const kept = randomUUID();
    const gone = randomUUID();
    await sql.query(
      `INSERT INTO boards (id, name, created_by, created_at, updated_at, revision)
       VALUES ($1, 'B', $2, '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z', 7)`,
      [boardId, owner],
    );
    await sql.query(
      `INSERT INTO board_members (board_id, user_id, role, added_at)
       VALUES ($1, $2, 'owner', now()), ($1, $3, 'viewer', now())`,
      [boardId, owner, viewer],
    );
    await sql.query(
      `INSERT INTO tasks (id, board_id, column_id, position, title, description, priority, due_date, assignee_ids,
         labels, status, created_by, created_at, updated_at, revision)
       VALUES ($1, $2, $3, 'a', 'Urgent invoice', 'Pay it', 'urgent', '2026-12-06T00:00:00Z', ARRAY[$4]::uuid[],
         ARRAY['finance'], 'open', $4, '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', 6)`,
      [kept, boardId, column, owner],
    );
    await sql.query(
      `INSERT INTO comments (id, task_id, board_id, author_id, body, created_at)
       VALUES ($1, $2, $3, $4, 'second', '2026-10-03T00:00:00Z'), ($5, $2, $3, $4, 'first', '2026-10-02T00:00:00Z')`,
      [randomUUID(), kept, boardId, owner, randomUUID()],
    );
    expect(await searchChangeFromReadModel(sql, boardId, [kept])).toBeNull();
    await sql.query('INSERT INTO projection_checkpoints (board_id, last_revision) VALUES ($1, 7)', [boardId]);

    const change = await searchChangeFromReadModel(sql, boardId, [kept, gone, 'not-a-uuid']);
    expect(change).toEqual({
      boardId,
      revision: 7,
      upserts: [
        {
          id: kept,
          boardId,
          columnId: column,
          title: 'Urgent invoice',
          description: 'Pay it',
          labels: ['finance'],
          comments: ['first', 'second'],
          assigneeIds: [owner],
          priority: 'urgent',
          dueDate: '2026-12-06T00:00:00.000Z',
          status: 'open',
          archived: false,
          createdAt: '2026-10-01T00:00:00.000Z',
          updatedAt: '2026-10-02T00:00:00.000Z',
        },
      ],
      deletes: [gone],
      memberIds: [owner, viewer].sort(),
    });

    // Straight into the index: the viewer finds it by a comment, with a typo.
    const index = createPgSearchIndex(sql);
    await index.apply([change!]);
    const found = await index.search({ viewerId: viewer, text: 'secnd', limit: 5 });
    expect(found.items.map((hit) => hit.task.id)).toEqual([kept]);
  });
});
