import { describe, expect, it } from 'vitest';
import type { BoardFlowDto, BoardStatsDto } from '@primetrade/domain';
import { BoardStats } from './stats.svelte.js';

const statsWith = (live: number) =>
  ({ tasks: { live, open: live, completed: 0, archived: 0, overdue: 0 }, completions: [] }) as unknown as BoardStatsDto;
const flow = { days: [], columns: [] } as unknown as BoardFlowDto;
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
};

describe('The Stats view model', () => {
  it('loads the statistics and the flow together, and says when the board has no tasks', async () => {
    const model = new BoardStats();
    const loading = model.load({ stats: async () => statsWith(0), flow: async () => flow });
    expect(model.loading).toBe(true);
    await loading;
    expect([model.loading, model.error, model.empty, model.flow]).toEqual([false, null, true, flow]);
  });

  it('keeps the figures it has when a reload fails, and says so', async () => {
    const model = new BoardStats();
    await model.load({ stats: async () => statsWith(2), flow: async () => flow });
    await model.load({ stats: () => Promise.reject(new Error('Service unavailable')), flow: async () => flow });
    expect(model.error).toBe('Service unavailable');
    expect(model.stats?.tasks.live).toBe(2);
    expect(model.empty).toBe(false);
  });

  it('lets a newer load win over an older one that answers late', async () => {
    const model = new BoardStats();
    const slow = deferred<BoardStatsDto>();
    const older = model.load({ stats: () => slow.promise, flow: async () => flow });
    await model.load({ stats: async () => statsWith(5), flow: async () => flow });
    slow.resolve(statsWith(1));
    await older;
    expect(model.stats?.tasks.live).toBe(5);
    expect(model.loading).toBe(false);
  });
});
