import type { Priority, Task, TaskStatus } from '@primetrade/domain';

export interface TaskFilter {
  /** Full-text: every word must appear in the title, description or labels. */
  readonly q: string;
  readonly assigneeId: string;
  readonly label: string;
  readonly priority: Priority | '';
  readonly status: TaskStatus | '';
  readonly showArchived: boolean;
}

export const noFilter: TaskFilter = { q: '', assigneeId: '', label: '', priority: '', status: '', showArchived: false };

export const isFiltering = (filter: TaskFilter): boolean =>
  filter.q.trim() !== '' ||
  filter.assigneeId !== '' ||
  filter.label !== '' ||
  filter.priority !== '' ||
  filter.status !== '';

const words = (q: string): string[] =>
  q
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');

/** A predicate for one filter: built once, run over thousands of cards. */
export function taskMatcher(filter: TaskFilter): (task: Task) => boolean {
  const terms = words(filter.q);
  return (task) => {
    if (task.archived && !filter.showArchived) return false;
    if (filter.assigneeId !== '' && !task.assigneeIds.includes(filter.assigneeId)) return false;
    if (filter.label !== '' && !task.labels.includes(filter.label)) return false;
    if (filter.priority !== '' && task.priority !== filter.priority) return false;
    if (filter.status !== '' && task.status !== filter.status) return false;
    if (terms.length === 0) return true;
    const text = `${task.title}\n${task.description}\n${task.labels.join('\n')}`.toLocaleLowerCase();
    return terms.every((term) => text.includes(term));
  };
}

/** Every label in use on the board, sorted, for the label filter. */
export function labelsIn(tasks: Iterable<Task>): string[] {
  const labels = new Set<string>();
  for (const task of tasks) for (const label of task.labels) labels.add(label);
  return [...labels].sort((a, b) => a.localeCompare(b));
}
