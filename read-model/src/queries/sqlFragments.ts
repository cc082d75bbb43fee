/** An instant as the ISO 8601 string JavaScript writes (`toISOString`), or NULL. */
export const iso = (expression: string): string =>
  `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A `tasks` row (alias `t`) as a TaskDto, built in SQL so board views and searches share it. */
export const taskDtoJson = `json_build_object(
  'id', t.id, 'boardId', t.board_id, 'columnId', t.column_id, 'position', t.position, 'title', t.title,
  'description', t.description, 'priority', t.priority, 'dueDate', ${iso('t.due_date')},
  'assigneeIds', t.assignee_ids, 'labels', t.labels, 'status', t.status, 'archived', t.archived,
  'createdBy', t.created_by, 'createdAt', ${iso('t.created_at')}, 'updatedAt', ${iso('t.updated_at')},
  'completedAt', ${iso('t.completed_at')})`;

/** A `boards` row (alias `b`) as a BoardDto. */
export const boardDtoJson = `json_build_object(
  'id', b.id, 'name', b.name, 'description', b.description, 'archived', b.archived, 'createdBy', b.created_by,
  'createdAt', ${iso('b.created_at')}, 'updatedAt', ${iso('b.updated_at')}, 'revision', b.revision)`;

/** Collects parameters while a statement is assembled; returns each one's placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
