/**
 * The statistics recomputed from a board's raw events, in plain TypeScript and independent of the
 * projection's SQL: the reference the statistics tests compare the endpoints with. The rules it
 * spells out are in docs/api.md ("Statistics").
 */
import {
  evolve,
  initialBoardState,
  type BoardFlowDto,
  type BoardState,
  type BoardStatsDto,
  type CompletionDto,
  type DurationPercentilesDto,
  type Envelope,
  type MyStatsDto,
  type Priority,
  type Task,
  type WipBreachDto,
} from '@primetrade/domain';

interface TaskFacts {
  createdAt: string;
  completedAt: string | null;
  cycleStartedAt: string | null;
  deleted: boolean;
}

interface OpenBreach {
  startedAt: string;
  wipLimit: number;
  peakTasks: number;
}

const ms = (instant: string) => Date.parse(instant);
const dayOf = (instant: string) => instant.slice(0, 10);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Board = Extract<BoardState, { status: 'active' | 'archived' }>;
const columnsInOrder = (board: Board) =>
  Object.values(board.columns).sort((a, b) => byText(a.position, b.position) || byText(a.id, b.id));
const liveTasks = (board: Board): Task[] => Object.values(board.tasks).filter((task) => !task.archived);
const countIn = (board: Board, columnId: string) =>
  liveTasks(board).filter((task) => task.columnId === columnId).length;

/** The fold: the board, every task's facts (deleted ones too), the per-day flow and the WIP breaches. */
class StatsFold {
  state: BoardState = initialBoardState;
  readonly facts = new Map<string, TaskFacts>();
  /** column → day → count at the end of that day. */
  readonly flow = new Map<string, Map<string, number>>();
  readonly breaches: WipBreachDto[] = [];
  readonly open = new Map<string, OpenBreach>();

  apply(event: Envelope): void {
    const before = this.state;
    this.state = evolve(before, event);
    if (before.status !== 'initial') this.trackTask(before, event);
    if (this.state.status !== 'initial') this.trackColumns(this.state, event.occurredAt);
  }

  private trackTask(before: Board, event: Envelope): void {
    const first = columnsInOrder(before)[0]?.id;
    if (event.type === 'TaskCreated') {
      const outside = event.data.columnId !== first;
      this.facts.set(event.data.taskId, {
        createdAt: event.occurredAt,
        completedAt: null,
        cycleStartedAt: outside ? event.occurredAt : null,
        deleted: false,
      });
      return;
    }
    if (event.type === 'TaskReinstated') {
      const { taskId, task } = event.data;
      const prior = this.facts.get(taskId);
      const cycleStartedAt = prior ? prior.cycleStartedAt : task.columnId !== first ? task.createdAt : null;
      this.facts.set(taskId, {
        createdAt: task.createdAt,
        completedAt: task.status === 'completed' ? task.completedAt : null,
        cycleStartedAt,
        deleted: false,
      });
      return;
    }
    const facts = 'taskId' in event.data ? this.facts.get(event.data.taskId) : undefined;
    if (!facts) return;
    if (event.type === 'TaskMoved') {
      const { fromColumnId, toColumnId } = event.data;
      if (facts.cycleStartedAt === null && fromColumnId !== toColumnId && fromColumnId === first)
        facts.cycleStartedAt = event.occurredAt;
    } else if (event.type === 'TaskCompleted') {
      facts.completedAt = event.data.completedAt ?? event.occurredAt;
    } else if (event.type === 'TaskReopened') {
      facts.completedAt = null;
    } else if (event.type === 'TaskDeleted') {
      facts.deleted = true;
    }
  }

  /** After every event, every column: its count for the day, and whether it is over its limit. */
  private trackColumns(board: Board, at: string): void {
    for (const column of Object.values(board.columns)) {
      const tasks = countIn(board, column.id);
      const days = this.flow.get(column.id) ?? new Map<string, number>();
      days.set(dayOf(at), tasks);
      this.flow.set(column.id, days);
      const over = column.wipLimit !== null && tasks > column.wipLimit;
      const open = this.open.get(column.id);
      if (over && open) open.peakTasks = Math.max(open.peakTasks, tasks);
      else if (over && column.wipLimit !== null)
        this.open.set(column.id, { startedAt: at, wipLimit: column.wipLimit, peakTasks: tasks });
      else if (open) {
        this.breaches.push({ columnId: column.id, ...open, endedAt: at, durationMs: ms(at) - ms(open.startedAt) });
        this.open.delete(column.id);
      }
    }
  }
}

/** Nearest rank, as PostgreSQL's percentile_disc: the ceil(p·n)-th smallest. */
function percentilesOf(values: readonly number[]): DurationPercentilesDto {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null);
  return { count: sorted.length, p50: at(0.5), p85: at(0.85), p95: at(0.95) };
}

function completionsOf(fold: StatsFold, board: Board): CompletionDto[] {
  const completed = [...fold.facts.entries()].filter(
    ([taskId, facts]) => !facts.deleted && facts.completedAt !== null && board.tasks[taskId]?.status === 'completed',
  );
  return completed
    .map(([taskId, facts]) => {
      const completedAt = facts.completedAt ?? '';
      const cycle =
        facts.cycleStartedAt !== null && ms(facts.cycleStartedAt) <= ms(completedAt)
          ? ms(completedAt) - ms(facts.cycleStartedAt)
          : null;
      return { taskId, completedAt, leadTimeMs: ms(completedAt) - ms(facts.createdAt), cycleTimeMs: cycle };
    })
    .sort((a, b) => ms(a.completedAt) - ms(b.completedAt) || byText(a.taskId, b.taskId));
}

const countBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

function priorities(tasks: readonly Task[]): Record<Priority, number> {
  const counts = countBy(tasks, (task) => task.priority);
  return {
    low: counts.get('low') ?? 0,
    medium: counts.get('medium') ?? 0,
    high: counts.get('high') ?? 0,
    urgent: counts.get('urgent') ?? 0,
  };
}

function boardStats(fold: StatsFold, board: Board, now: Date): BoardStatsDto {
  const live = liveTasks(board);
  const completions = completionsOf(fold, board);
  const isOverdue = (task: Task) => task.status === 'open' && task.dueDate !== null && ms(task.dueDate) < now.getTime();
  const assignees = countBy(
    live.flatMap((task) => task.assigneeIds),
    (userId) => userId,
  );
  const ongoing = [...fold.open.entries()].map(([columnId, open]) => ({
    columnId,
    ...open,
    endedAt: null,
    durationMs: Math.max(0, now.getTime() - ms(open.startedAt)),
  }));
  const within = (days: number) =>
    completions.filter((point) => ms(point.completedAt) > now.getTime() - days * 86_400_000).length;
  return {
    boardId: board.id,
    revision: board.revision,
    asOf: now.toISOString(),
    tasks: {
      live: live.length,
      open: live.filter((task) => task.status === 'open').length,
      completed: live.filter((task) => task.status === 'completed').length,
      archived: Object.values(board.tasks).length - live.length,
      overdue: live.filter(isOverdue).length,
    },
    byColumn: columnsInOrder(board).map((column) => ({
      columnId: column.id,
      name: column.name,
      isDone: column.isDone,
      wipLimit: column.wipLimit,
      tasks: countIn(board, column.id),
    })),
    byAssignee: [...assignees.entries()]
      .map(([userId, tasks]) => ({ userId, tasks }))
      .sort((a, b) => b.tasks - a.tasks || byText(a.userId, b.userId)),
    unassigned: live.filter((task) => task.assigneeIds.length === 0).length,
    byPriority: priorities(live),
    wipBreaches: [...fold.breaches, ...ongoing].sort(
      (a, b) => ms(a.startedAt) - ms(b.startedAt) || byText(a.columnId, b.columnId),
    ),
    throughput: {
      last7Days: within(7),
      last30Days: within(30),
      perDay: [...countBy(completions, (point) => dayOf(point.completedAt)).entries()]
        .map(([day, completed]) => ({ day, completed }))
        .sort((a, b) => byText(a.day, b.day)),
    },
    leadTime: percentilesOf(completions.map((point) => point.leadTimeMs)),
    cycleTime: percentilesOf(completions.flatMap((point) => (point.cycleTimeMs === null ? [] : [point.cycleTimeMs]))),
    completions,
  };
}

function flowOf(fold: StatsFold, board: Board, days: readonly string[], from: string, to: string): BoardFlowDto {
  const countAt = (columnId: string, day: string) => {
    const recorded = [...(fold.flow.get(columnId)?.entries() ?? [])]
      .filter(([recordedDay]) => recordedDay <= day)
      .sort(([a], [b]) => byText(a, b));
    return recorded.at(-1)?.[1] ?? 0;
  };
  return {
    boardId: board.id,
    revision: board.revision,
    from,
    to,
    days,
    columns: columnsInOrder(board).map((column) => ({
      columnId: column.id,
      name: column.name,
      isDone: column.isDone,
      tasks: days.map((day) => countAt(column.id, day)),
    })),
  };
}

function myStats(board: Board, userId: string, now: Date): MyStatsDto {
  const member = board.members[userId] !== undefined && board.status === 'active';
  const mine = member ? liveTasks(board).filter((task) => task.assigneeIds.includes(userId)) : [];
  const open = mine.filter((task) => task.status === 'open');
  const dueWithin = (hours: number) =>
    open.filter(
      (task) =>
        task.dueDate !== null &&
        ms(task.dueDate) >= now.getTime() &&
        ms(task.dueDate) < now.getTime() + hours * 3_600_000,
    ).length;
  return {
    asOf: now.toISOString(),
    total: mine.length,
    byStatus: { open: open.length, completed: mine.length - open.length },
    byPriority: priorities(mine),
    overdue: open.filter((task) => task.dueDate !== null && ms(task.dueDate) < now.getTime()).length,
    dueWithin24Hours: dueWithin(24),
    dueWithin7Days: dueWithin(24 * 7),
  };
}

export interface StatsReference {
  readonly stats: BoardStatsDto;
  flow(days: readonly string[]): BoardFlowDto;
  /** `GET /me/stats` of someone whose only board this is. */
  myStats(userId: string): MyStatsDto;
}

/** Everything the statistics endpoints answer for one board, from its recorded events, as of `now`. */
export function statsFromEvents(events: readonly Envelope[], now: Date): StatsReference {
  const fold = new StatsFold();
  for (const event of events) fold.apply(event);
  const board = fold.state;
  if (board.status === 'initial') throw new Error('statsFromEvents needs a created board');
  return {
    stats: boardStats(fold, board, now),
    flow: (days) => flowOf(fold, board, days, days[0] ?? '', days.at(-1) ?? ''),
    myStats: (userId) => myStats(board, userId, now),
  };
}
