import { randomUUID } from 'node:crypto';
import type { SqlQueryable } from '@primetrade/platform';

export interface SeededBoard {
  readonly boardId: string;
  readonly ownerId: string;
  readonly columnIds: readonly string[];
  readonly assigneeIds: readonly string[];
}

/**
 * A board of `tasks` tasks written straight into the read models, as a projector would leave them:
 * five columns, varied keys for every sort order (ties included), descriptions of up to ~400
 * characters, two due dates in three, one task in twenty archived, one in four completed, four
 * assignees and six labels, and each column's count in `column_counts`. For query plans and the
 * pagination and big-board benchmarks (B11, B15), where only the rows matter, not the events behind them.
 */
export async function seedBoardTasks(sql: SqlQueryable, tasks: number): Promise<SeededBoard> {
  const boardId = randomUUID();
  const ownerId = randomUUID();
  const columnIds = Array.from({ length: 5 }, () => randomUUID());
  const assigneeIds = Array.from({ length: 4 }, () => randomUUID());
  await sql.query(
    `INSERT INTO boards (id, name, created_by, created_at, updated_at, revision)
     VALUES ($1, $2, $3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', $4)`,
    [boardId, `${tasks} tasks`, ownerId, tasks + 7],
  );
  await sql.query(
    `INSERT INTO board_members (board_id, user_id, role, added_at) VALUES ($1, $2, 'owner', '2026-01-01T00:00:00Z')`,
    [boardId, ownerId],
  );
  await sql.query(
    `INSERT INTO board_columns (board_id, id, name, position, is_done, wip_limit)
     SELECT $1, c.id, 'Column ' || c.n, chr(96 + c.n::int), c.n = 5, NULL
     FROM unnest($2::uuid[]) WITH ORDINALITY AS c (id, n)`,
    [boardId, columnIds],
  );
  // Each attribute from its own hash of the task's number, so no two are correlated.
  const pick = (salt: number, n: number) => `((hashint4(i + ${salt * 1_000_000})::bigint + 2147483648) % ${n})::int`;
  await sql.query(
    `INSERT INTO tasks (id, board_id, column_id, position, title, description, priority, due_date, assignee_ids,
                        labels, status, archived, created_by, created_at, updated_at, completed_at, revision)
     SELECT gen_random_uuid(), $1, ($2::uuid[])[1 + i % 5], 'a' || lpad(to_hex(i / 5), 6, '0'),
            'Task ' || ${pick(1, 997)}, repeat('Steps to reproduce, notes and links. ', ${pick(9, 12)}), (ARRAY['low', 'medium', 'high', 'urgent'])[1 + ${pick(2, 4)}],
            CASE WHEN i % 3 = 0 THEN NULL ELSE timestamptz '2026-03-01' + ${pick(3, 400)} * interval '1 hour' END,
            ARRAY[($3::uuid[])[1 + ${pick(4, 4)}]], ARRAY['label-' || ${pick(5, 6)}],
            CASE WHEN ${pick(6, 4)} = 3 THEN 'completed' ELSE 'open' END, ${pick(7, 20)} = 19, $4,
            timestamptz '2026-01-01' + (i / 2) * interval '1 minute',
            timestamptz '2026-02-01' + ${pick(8, 5003)} * interval '1 minute',
            CASE WHEN ${pick(6, 4)} = 3 THEN timestamptz '2026-02-15' END, i + 7
     FROM generate_series(0, $5::int - 1) AS i`,
    [boardId, columnIds, assigneeIds, ownerId, tasks],
  );
  // Each column's live count, as the statistics projection keeps it (migration 008).
  await sql.query(
    `INSERT INTO column_counts (board_id, column_id, tasks)
     SELECT board_id, column_id, count(*) FROM tasks WHERE board_id = $1 AND NOT archived GROUP BY board_id, column_id`,
    [boardId],
  );
  return { boardId, ownerId, columnIds, assigneeIds };
}
