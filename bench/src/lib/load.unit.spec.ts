import { describe, expect, it } from 'vitest';
import { cpuMeter, cpuSecondsOf, machineKey, thisProcess } from './cpu.js';
import { mix, readKinds, workload, writeKinds, type SeededWorkload } from './mixedWorkload.js';
import { seedLimits, verdictOf, type Measured } from './steps.js';

describe('cpuSecondsOf', () => {
  it('adds user and system ticks, whatever the command name holds', () => {
    // pid (comm) state ppid … utime stime: fields 14 and 15, here 250 and 50 ticks.
    const stat = '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 11 0 1000 0 0';
    expect(cpuSecondsOf(stat)).toBe(3);
  });

  it('refuses what is not a stat line', () => {
    expect(() => cpuSecondsOf('no such thing')).toThrow(/not a \/proc/);
  });
});

describe('cpuMeter', () => {
  it('reports every group and the whole machine, in cores', async () => {
    const stop = await cpuMeter([thisProcess, { name: 'gone', pids: () => [2 ** 22 + 1] }]).start();
    let spin = 0;
    for (let i = 0; i < 2_000_000; i += 1) spin += i % 7;
    const use = await stop();
    expect(spin).toBeGreaterThan(0);
    expect(Object.keys(use).sort()).toEqual([machineKey, 'gone', thisProcess.name].sort());
    expect(use[thisProcess.name]).toBeGreaterThanOrEqual(0);
    expect(use.gone).toBe(0);
  });
});

describe('verdictOf', () => {
  const step: Measured = {
    targetRate: 100,
    startedRate: 100,
    errors: 0,
    byKind: {},
    count: 1000,
    p50: 10,
    p95: 400,
    p99: 900,
    max: 1200,
  };

  it('sustains a step within the seed limits', () => {
    expect(verdictOf(step, seedLimits)).toBeNull();
  });

  it.each([
    [{ p95: 501 }, /p95 501 ms > 500 ms/],
    [{ p99: 1001 }, /p99 1001 ms > 1000 ms/],
    [{ errors: 11 }, /11 errors of 1000/],
    [{ startedRate: 80 }, /load generator started only 80\/s of 100\/s/],
  ])('does not sustain %o', (change, reason) => {
    expect(verdictOf({ ...step, ...change }, seedLimits)).toMatch(reason);
  });
});

describe('the mixed workload', () => {
  it('is 80% reads and 20% writes', () => {
    const share = (kinds: string[]) => kinds.reduce((sum, kind) => sum + mix[kind as keyof typeof mix], 0);
    expect(share(['board view', 'task list page', 'search', 'stats'])).toBeCloseTo(0.8);
    expect(share(['create task', 'move task', 'update task'])).toBeCloseTo(0.2);
  });
});

describe('workload', () => {
  const board = { id: 'b', columnIds: ['c'], taskIds: ['t'] };
  const seeded: SeededWorkload = {
    api: 'http://127.0.0.1:9/api/v1',
    users: [{ email: 'u@b10.bench.test', token: 'token', board }],
    boards: [board],
  };
  const kindsOf = (next: ReturnType<typeof workload>) => new Set(Array.from({ length: 2_000 }, (_, i) => next(i).kind));

  it('draws every kind of the mix', () => {
    expect([...kindsOf(workload(seeded))].sort()).toEqual(Object.keys(mix).sort());
  });

  it('draws only the kinds it is given', () => {
    expect([...kindsOf(workload(seeded, 1, readKinds))].sort()).toEqual([...readKinds].sort());
    expect([...kindsOf(workload(seeded, 1, writeKinds))].sort()).toEqual([...writeKinds].sort());
  });
});
