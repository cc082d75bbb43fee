import type { Projection } from './projection.js';

/** `board_columns`. */
export const boardColumnsProjection = {
  async ColumnAdded(tx, event) {
    const { columnId, name, position, isDone, wipLimit } = event.data;
    await tx.query(
      `INSERT INTO board_columns (board_id, id, name, position, is_done, wip_limit)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (board_id, id) DO UPDATE
       SET name = excluded.name, position = excluded.position, is_done = excluded.is_done, wip_limit = excluded.wip_limit`,
      [event.boardId, columnId, name, position, isDone, wipLimit],
    );
  },
  async ColumnRenamed(tx, event) {
    await tx.query('UPDATE board_columns SET name = $3 WHERE board_id = $1 AND id = $2', [
      event.boardId,
      event.data.columnId,
      event.data.name,
    ]);
  },
  async ColumnMoved(tx, event) {
    await tx.query('UPDATE board_columns SET position = $3 WHERE board_id = $1 AND id = $2', [
      event.boardId,
      event.data.columnId,
      event.data.position,
    ]);
  },
  async ColumnWipLimitSet(tx, event) {
    await tx.query('UPDATE board_columns SET wip_limit = $3 WHERE board_id = $1 AND id = $2', [
      event.boardId,
      event.data.columnId,
      event.data.wipLimit,
    ]);
  },
  async ColumnRemoved(tx, event) {
    await tx.query('DELETE FROM board_columns WHERE board_id = $1 AND id = $2', [event.boardId, event.data.columnId]);
  },
} satisfies Projection;
