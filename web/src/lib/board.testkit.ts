import type { BoardEvent, BoardViewDto, ColumnDto, Envelope, TaskDto } from '@primetrade/domain';

/** Fixtures shared by the client store's unit specs: one board, its owner, two columns. */
export const boardId = '00000000-0000-4000-8000-000000000001';
export const me = '00000000-0000-4000-8000-0000000000aa';
export const todo = '00000000-0000-4000-8000-0000000000c1';
export const done = '00000000-0000-4000-8000-0000000000c2';
export const at = '2026-11-28T10:00:00.000Z';

/** The board as `GET /boards/:id` answers it: "To do" and "Done", no tasks unless given. */
export function boardView(
  options: { revision?: number; name?: string; columns?: ColumnDto[]; tasks?: TaskDto[] } = {},
): BoardViewDto {
  const revision = options.revision ?? 3;
  return {
    board: {
      id: boardId,
      name: options.name ?? 'Launch',
      description: '',
      archived: false,
      createdBy: me,
      createdAt: at,
      updatedAt: at,
      revision,
    },
    columns: options.columns ?? [
      { id: todo, name: 'To do', position: 'V', isDone: false, wipLimit: null },
      { id: done, name: 'Done', position: 'k', isDone: true, wipLimit: null },
    ],
    tasks: options.tasks ?? [],
    members: [{ userId: me, name: 'Me', role: 'owner', addedAt: at }],
    revision,
  };
}

/** `event` as the board's event at `revision`, made by me. */
export function envelope(revision: number, event: BoardEvent): Envelope {
  return {
    ...event,
    id: `e${revision}`,
    boardId,
    revision,
    position: String(revision),
    occurredAt: at,
    actorId: me,
    correlationId: 'c',
    causationId: null,
    schemaVersion: 1,
  };
}
