import type { Envelope } from '@primetrade/domain';

/** What one batch asks of the search index for one board. */
export interface SearchTouch {
  readonly boardId: string;
  /** The batch's oldest revision of the board: the index must hold the one before it (else a gap). */
  readonly fromRevision: number;
  /** The batch's newest revision of the board: the change is stamped with it. */
  readonly revision: number;
  /** Tasks whose document may have changed (created, edited, moved, commented, deleted…). */
  readonly taskIds: readonly string[];
}

/**
 * Per board, the tasks a batch touched and its last revision (docs/adr/0026-search-projection.md).
 * Every event that changes what a task document holds names its `taskId` (a member's removal is
 * preceded by its `TaskUnassigned` events; a column is removed only when empty); the board's members
 * are re-read with every change, so membership needs no event list of its own. Boards whose events
 * touch no task still get a touch: the index records their revision and members.
 */
export function searchTouches(events: readonly Envelope[]): SearchTouch[] {
  const byBoard = new Map<string, { fromRevision: number; revision: number; taskIds: Set<string> }>();
  for (const event of events) {
    const touch = byBoard.get(event.boardId) ?? {
      fromRevision: event.revision,
      revision: event.revision,
      taskIds: new Set<string>(),
    };
    touch.fromRevision = Math.min(touch.fromRevision, event.revision);
    touch.revision = Math.max(touch.revision, event.revision);
    const taskId = (event.data as { taskId?: unknown }).taskId;
    if (typeof taskId === 'string') touch.taskIds.add(taskId);
    byBoard.set(event.boardId, touch);
  }
  return [...byBoard].map(([boardId, touch]) => ({
    boardId,
    fromRevision: touch.fromRevision,
    revision: touch.revision,
    taskIds: [...touch.taskIds].sort(),
  }));
}
