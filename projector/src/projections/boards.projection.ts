import type { Projection } from './projection.js';

/**
 * `boards`. Every event of the stream also moves `updated_at` and `revision`; that touch is done
 * once per board and batch in `applyBatch.ts`, so the handlers here set only their own fields.
 * Like the domain's `evolve`, handlers are total: an event the state cannot take changes nothing
 * or overwrites (a repeated BoardCreated, MemberAdded, ColumnAdded), it never fails the batch.
 */
export const boardsProjection = {
  async BoardCreated(tx, event) {
    await tx.query(
      `INSERT INTO boards (id, name, description, archived, created_by, created_at, updated_at, revision)
       VALUES ($1, $2, $3, false, $4, $5, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      [event.boardId, event.data.name, event.data.description, event.actorId, event.occurredAt, event.revision],
    );
  },
  async BoardRenamed(tx, event) {
    await tx.query('UPDATE boards SET name = $2 WHERE id = $1', [event.boardId, event.data.name]);
  },
  async BoardDescriptionChanged(tx, event) {
    await tx.query('UPDATE boards SET description = $2 WHERE id = $1', [event.boardId, event.data.description]);
  },
  async BoardArchived(tx, event) {
    await tx.query('UPDATE boards SET archived = true WHERE id = $1', [event.boardId]);
  },
  async BoardRestored(tx, event) {
    await tx.query('UPDATE boards SET archived = false WHERE id = $1', [event.boardId]);
  },
} satisfies Projection;
