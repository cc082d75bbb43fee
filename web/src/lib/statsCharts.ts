import type { BoardFlowDto, BoardStatsDto } from '@primetrade/domain';

/**
 * The statistics as uPlot wants them: x in Unix seconds, one array per series, same length.
 * Pure, so the shapes are unit-tested without a canvas.
 */

const dayMs = 86_400_000;
const secondsOfDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

export interface StackedSeries {
  readonly label: string;
  readonly values: number[];
}

/**
 * Cumulative flow as stacked areas: the done end of the board at the bottom, the first column on
 * top. Series come out top first (each is the sum of its column and every column below it), so
 * drawing them in order, each filled down to zero, paints the stack.
 */
export function cumulativeFlow(flow: BoardFlowDto): { x: number[]; series: StackedSeries[] } {
  const x = flow.days.map(secondsOfDay);
  const running = flow.days.map(() => 0);
  const bottomUp = [...flow.columns].reverse().map((column) => {
    column.tasks.forEach((tasks, index) => (running[index] = (running[index] ?? 0) + tasks));
    return { label: column.name, values: [...running] };
  });
  return { x, series: bottomUp.reverse() };
}

/** Completions per UTC day, every day from the first completion to `today` (zeros included). */
export function dailyThroughput(stats: BoardStatsDto, today: string): { x: number[]; completed: number[] } {
  const first = stats.throughput.perDay[0]?.day;
  if (first === undefined) return { x: [], completed: [] };
  const byDay = new Map(stats.throughput.perDay.map((point) => [point.day, point.completed]));
  const x: number[] = [];
  const completed: number[] = [];
  const last = Math.max(
    Date.parse(`${today}T00:00:00Z`),
    Date.parse(`${stats.throughput.perDay.at(-1)?.day ?? first}T00:00:00Z`),
  );
  for (let day = Date.parse(`${first}T00:00:00Z`); day <= last; day += dayMs) {
    const key = new Date(day).toISOString().slice(0, 10);
    x.push(day / 1000);
    completed.push(byDay.get(key) ?? 0);
  }
  return { x, completed };
}

/** Cycle time (days) against completion instant; tasks without a cycle time are left out. */
export function cycleTimeScatter(stats: BoardStatsDto): { x: number[]; days: number[] } {
  const points = stats.completions.filter((point) => point.cycleTimeMs !== null);
  return {
    x: points.map((point) => Date.parse(point.completedAt) / 1000),
    days: points.map((point) => (point.cycleTimeMs ?? 0) / dayMs),
  };
}

/** A duration for people: minutes, hours or days. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < dayMs) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / dayMs).toFixed(1)} d`;
}
