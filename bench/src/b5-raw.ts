import type { Envelope } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import { historyColumns, historyRow } from '@primetrade/projector';

/** B5's baselines (b5-projector.ts): the rows raw batched writes put in tables shaped like the read models'. */

/**
 * The baseline's rows: one per event, keyed by the task it touches (the board for board-level
 * events), into `raw_rows` — created `LIKE tasks INCLUDING ALL`: same columns, generated columns,
 * checks and indexes (twelve). Within a batch the last version of a row wins (one upsert cannot touch a
 * row twice), which is what a batching writer would do.
 */
export function rawRows(events: readonly Envelope[]): Record<string, unknown>[] {
  const rows = new Map<string, Record<string, unknown>>();
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    const id = typeof data.taskId === 'string' ? data.taskId : event.boardId;
    rows.set(id, {
      id,
      board_id: event.boardId,
      column_id: data.toColumnId ?? data.columnId ?? event.boardId,
      position: data.position ?? 'a',
      title: data.title ?? data.name ?? event.type,
      description: data.description ?? data.body ?? '',
      priority: data.priority ?? 'medium',
      due_date: data.dueDate ?? null,
      created_by: event.actorId,
      at: event.occurredAt,
      revision: event.revision,
    });
  }
  return [...rows.values()];
}

const upsertText = `INSERT INTO raw_rows (id, board_id, column_id, position, title, description, priority, due_date,
                           status, created_by, created_at, updated_at, revision)
     SELECT x.id, x.board_id, x.column_id, x.position, x.title, x.description, x.priority, x.due_date,
            'open', x.created_by, x.at, x.at, x.revision
     FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, board_id uuid, column_id uuid, position text, title text,
          description text, priority text, due_date timestamptz, created_by uuid, at timestamptz, revision bigint)
     ON CONFLICT (id) DO UPDATE SET column_id = excluded.column_id, position = excluded.position, title = excluded.title,
          description = excluded.description, priority = excluded.priority, due_date = excluded.due_date,
          updated_at = excluded.updated_at, revision = excluded.revision`;

export async function rawUpsert(sql: Sql, rows: readonly Record<string, unknown>[]): Promise<void> {
  await sql.tx((tx) => tx.query(upsertText, [JSON.stringify(rows)]));
}

/**
 * The second baseline's history rows: one per event, the projector's own `historyRow` (COPY's text
 * format) straight from the envelope — no state folded, no field changes described (`[]`), the event's
 * type for a summary: the rows' volume with none of the work that fills them in.
 */
export const rawHistory = (events: readonly Envelope[]): string =>
  events.map((event) => historyRow(event, event.type, '[]')).join('');

export interface RawWrites {
  readonly rows: Record<string, unknown>[];
  readonly history: string;
}

/** A batch's raw writes with its history rows, in one transaction: the task rows' upsert, then the COPY. */
export async function rawUpsertWithHistory(sql: Sql, batch: RawWrites): Promise<void> {
  await sql.tx(async (tx) => {
    await tx.query(upsertText, [JSON.stringify(batch.rows)]);
    await tx.copyFrom('raw_history', historyColumns, batch.history);
  });
}
