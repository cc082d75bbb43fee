import { describe, expect, it } from 'vitest';
import type { BoardFlowDto, BoardStatsDto } from '@primetrade/domain';
import { cumulativeFlow, cycleTimeScatter, dailyThroughput, humanDuration } from './statsCharts.js';

const flow: BoardFlowDto = {
  boardId: 'b',
  revision: 9,
  from: '2026-03-01',
  to: '2026-03-02',
  days: ['2026-03-01', '2026-03-02'],
  columns: [
    { columnId: 'todo', name: 'To do', isDone: false, tasks: [3, 1] },
    { columnId: 'doing', name: 'Doing', isDone: false, tasks: [1, 2] },
    { columnId: 'done', name: 'Done', isDone: true, tasks: [0, 2] },
  ],
};

const stats = (perDay: BoardStatsDto['throughput']['perDay'], completions: BoardStatsDto['completions'] = []) =>
  ({ throughput: { last7Days: 0, last30Days: 0, perDay }, completions }) as unknown as BoardStatsDto;

describe('Chart data', () => {
  it('stacks the cumulative flow with the done end at the bottom, top series first', () => {
    const { x, series } = cumulativeFlow(flow);
    expect(x).toEqual([Date.parse('2026-03-01T00:00:00Z') / 1000, Date.parse('2026-03-02T00:00:00Z') / 1000]);
    expect(series).toEqual([
      { label: 'To do', values: [4, 5] },
      { label: 'Doing', values: [1, 4] },
      { label: 'Done', values: [0, 2] },
    ]);
  });

  it('fills the days without completions with zeros, up to today', () => {
    const { x, completed } = dailyThroughput(
      stats([
        { day: '2026-03-01', completed: 2 },
        { day: '2026-03-03', completed: 1 },
      ]),
      '2026-03-04',
    );
    expect(completed).toEqual([2, 0, 1, 0]);
    expect(x).toHaveLength(4);
    expect(dailyThroughput(stats([]), '2026-03-04')).toEqual({ x: [], completed: [] });
  });

  it('plots cycle times in days and leaves out tasks without one', () => {
    const { x, days } = cycleTimeScatter(
      stats(
        [],
        [
          { taskId: 'a', completedAt: '2026-03-02T00:00:00.000Z', leadTimeMs: 1, cycleTimeMs: 43_200_000 },
          { taskId: 'b', completedAt: '2026-03-03T00:00:00.000Z', leadTimeMs: 1, cycleTimeMs: null },
        ],
      ),
    );
    expect(days).toEqual([0.5]);
    expect(x).toEqual([Date.parse('2026-03-02T00:00:00Z') / 1000]);
  });

  it('says durations in minutes, hours or days', () => {
    expect([
      humanDuration(null),
      humanDuration(120_000),
      humanDuration(5_400_000),
      humanDuration(2 * 86_400_000),
    ]).toEqual(['—', '2 min', '1.5 h', '2.0 d']);
  });
});
