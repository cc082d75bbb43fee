import { priorities } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { assertNoGaps, type SearchBoardChange, type SearchTaskDocument } from './searchIndex.port.js';

// The search port's writes on PostgreSQL (migration 011, docs/adr/0024-search-engine.md).
// Title (A), labels (B), description and comments (C).
const searchVector = `setweight(to_tsvector('search_folded', d.title), 'A')
  || setweight(to_tsvector('search_folded', array_to_string(d.labels, ' ')), 'B')
  || setweight(to_tsvector('search_folded', d.description || ' ' || array_to_string(d.comments, ' ')), 'C')`;

/** Each board's changes only above its last applied revision, in the caller's transaction. */
export async function applyChanges(tx: SqlQueryable, changes: readonly SearchBoardChange[]): Promise<void> {
  // Locked from the check to the write (the loop below locks the same rows again).
  await assertNoGaps(changes, async (boardId) => {
    const rows = await tx.query<{ revision: string }>(
      'SELECT revision FROM search_boards WHERE board_id = $1 FOR UPDATE',
      [boardId],
    );
    return rows[0] ? Number(rows[0].revision) : null;
  });
  for (const change of changes) {
    const rows = await tx.query<{ revision: string }>(
      'SELECT revision FROM search_boards WHERE board_id = $1 FOR UPDATE',
      [change.boardId],
    );
    if (rows[0] && Number(rows[0].revision) >= change.revision) continue;
    const deletes = change.deletes ?? [];
    if (deletes.length > 0)
      await tx.query('DELETE FROM search_tasks WHERE board_id = $1 AND id = ANY($2::uuid[])', [
        change.boardId,
        deletes,
      ]);
    const upserts = change.upserts ?? [];
    if (upserts.length > 0) await upsertTasks(tx, change, upserts);
    if (change.memberIds) {
      await tx.query('DELETE FROM search_board_members WHERE board_id = $1', [change.boardId]);
      await tx.query(
        'INSERT INTO search_board_members (user_id, board_id) SELECT DISTINCT unnest($2::uuid[]), $1::uuid',
        [change.boardId, change.memberIds],
      );
    }
    await tx.query(
      `INSERT INTO search_boards (board_id, revision, member_ids) VALUES ($1, $2, coalesce($3::uuid[], '{}'))
       ON CONFLICT (board_id) DO UPDATE SET revision = EXCLUDED.revision,
         member_ids = coalesce($3::uuid[], search_boards.member_ids)`,
      [change.boardId, change.revision, change.memberIds ?? null],
    );
  }
}

async function upsertTasks(
  tx: SqlQueryable,
  change: SearchBoardChange,
  upserts: readonly SearchTaskDocument[],
): Promise<void> {
  const documents = upserts.map((task) => ({
    ...task,
    boardId: change.boardId,
    priorityRank: priorities.indexOf(task.priority),
    revision: change.revision,
  }));
  await tx.query(
    `INSERT INTO search_tasks (id, board_id, column_id, title, description, labels, comments, assignee_ids,
       priority, priority_rank, due_date, status, archived, created_at, updated_at, revision, search)
     SELECT d.id, d."boardId", d."columnId", d.title, d.description, d.labels, d.comments, d."assigneeIds",
       d.priority, d."priorityRank", d."dueDate", d.status, d.archived, d."createdAt", d."updatedAt", d.revision,
       ${searchVector}
     FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, "boardId" uuid, "columnId" uuid, title text, description text,
       labels text[], comments text[], "assigneeIds" uuid[], priority text, "priorityRank" smallint,
       "dueDate" timestamptz, status text, archived boolean, "createdAt" timestamptz, "updatedAt" timestamptz,
       revision bigint)
     ON CONFLICT (id) DO UPDATE SET board_id = EXCLUDED.board_id, column_id = EXCLUDED.column_id,
       title = EXCLUDED.title, description = EXCLUDED.description, labels = EXCLUDED.labels,
       comments = EXCLUDED.comments, assignee_ids = EXCLUDED.assignee_ids, priority = EXCLUDED.priority,
       priority_rank = EXCLUDED.priority_rank, due_date = EXCLUDED.due_date, status = EXCLUDED.status,
       archived = EXCLUDED.archived, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
       revision = EXCLUDED.revision, search = EXCLUDED.search`,
    [JSON.stringify(documents)],
  );
  // The vocabulary typo tolerance expands into: plain words only (no "a-b" compounds, no URLs).
  await tx.query(
    `INSERT INTO search_terms (term)
     SELECT DISTINCT w.term FROM search_tasks t, unnest(tsvector_to_array(t.search)) AS w(term)
     WHERE t.id = ANY($1::uuid[]) AND w.term !~ '[[:space:][:punct:]]' AND length(w.term) <= 64
     ON CONFLICT DO NOTHING`,
    [upserts.map((task) => task.id)],
  );
}
