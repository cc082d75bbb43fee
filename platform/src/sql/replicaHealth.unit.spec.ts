import { describe, expect, it } from 'vitest';
import { parseLsn, watchReplica } from './replicaHealth.js';
import type { SqlQueryable } from './sql.port.js';

/** A server that answers the probe's one statement with whatever `answer` holds now. */
const server = (answer: () => Record<string, unknown>): SqlQueryable => ({
  query: async <R extends object>() => {
    const row = answer();
    if (row['down']) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return [row] as R[];
  },
  exec: async () => undefined,
  copyFrom: () => Promise.reject(new Error('the probe never copies')),
});

function setUp() {
  const clock = { now: 0 };
  const wal = { primary: '0/1000', replayed: '0/1000' as string | null, standby: true, down: false };
  const health = watchReplica({
    name: 'replica-1',
    primary: server(() => ({ lsn: wal.primary })),
    replica: server(() => ({ standby: wal.standby, lsn: wal.replayed, down: wal.down })),
    maxLagMs: 1_000,
    intervalMs: 60_000,
    now: () => clock.now,
  });
  return { clock, wal, health };
}

describe('A replica’s health', () => {
  it('reads WAL positions as byte offsets', () => {
    expect(parseLsn('0/0')).toBe(0);
    expect(parseLsn('0/1A')).toBe(26);
    expect(parseLsn('1/0')).toBe(2 ** 32);
    expect(parseLsn('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
  });

  it('is out until the first probe, then in while its replay keeps up', async () => {
    const { health } = setUp();
    expect(health.state()).toBe('down');
    await health.probe();
    expect(health.state()).toBe('in');
    expect(health.lagMs()).toBe(0);
    health.stop();
  });

  it('measures lag as the age of the oldest primary position not yet replayed, and stays 0 while the primary idles', async () => {
    const { clock, wal, health } = setUp();
    await health.probe();
    wal.primary = '0/2000';
    await health.probe(); // the primary moved at t=0; the replica has not replayed it
    clock.now = 600;
    wal.primary = '0/3000';
    await health.probe();
    expect(health.lagMs()).toBe(600);
    expect(health.state()).toBe('in');
    clock.now = 1_500;
    await health.probe();
    expect(health.lagMs()).toBe(1_500);
    expect(health.state()).toBe('lagging');
    wal.replayed = '0/2000'; // past the first sample, short of the second (taken at 600)
    await health.probe();
    expect(health.lagMs()).toBe(900);
    expect(health.state()).toBe('in');
    wal.replayed = '0/3000';
    clock.now = 100_000; // a long idle primary: nothing left to replay, no lag
    await health.probe();
    expect(health.lagMs()).toBe(0);
    health.stop();
  });

  it('takes a replica out when it does not answer, is not a standby, or a query found it gone; back on a healthy probe', async () => {
    const { wal, health } = setUp();
    await health.probe();
    wal.down = true;
    await health.probe();
    expect(health.state()).toBe('down');
    wal.down = false;
    await health.probe();
    expect(health.state()).toBe('in');
    health.failed();
    expect(health.state()).toBe('down');
    await health.probe();
    expect(health.state()).toBe('in');
    wal.standby = false;
    wal.replayed = null;
    await health.probe();
    expect(health.state()).toBe('not-standby');
    health.stop();
  });
});
