import { readFile, readdir } from 'node:fs/promises';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every architecture Node runs on. */
const ticksPerSecond = 100;

/** The fields of a /proc/<pid>/stat line after the command name, from field 3 (state) on. */
function fieldsAfterName(stat: string): string[] {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last `)`.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** user + system CPU seconds (fields 14 and 15) of a /proc/<pid>/stat line. */
export function cpuSecondsOf(stat: string): number {
  const fields = fieldsAfterName(stat);
  const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  if (!Number.isFinite(seconds)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return seconds;
}

/** user + system CPU seconds a process has used so far, or null once it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null ? null : cpuSecondsOf(stat);
}

/** Resident memory of a process in bytes (VmRSS of /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Pids whose command name (/proc/<pid>/comm) is `name`, e.g. `redis-server`. */
export async function pidsNamed(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) pids.push(Number(entry));
  }
  return pids;
}

/** `pids` and their direct children (nginx's workers under its master), from one scan of /proc. */
export async function withChildren(pids: readonly number[]): Promise<number[]> {
  const parents = new Set(pids);
  const found = [...pids];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(fieldsAfterName(stat)[1]);
    if (parents.has(parent)) found.push(Number(entry));
  }
  return found;
}

/** CPU seconds the whole machine has been busy (every process, ours and others'), from /proc/stat. */
async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return (ticks.reduce((sum, value) => sum + value, 0) - idle) / ticksPerSecond;
}

/** The key under which `cpuMeter` reports the whole machine's busy cores (other work included). */
export const machineKey = 'machine (all processes)';

/** A group of processes counted together: one service kind (`command-api` = its nodes). */
export interface ProcessGroup {
  readonly name: string;
  /** Asked at every sample: processes restart, PostgreSQL backends come and go. */
  pids(): Promise<readonly number[]> | readonly number[];
}

/** CPU cores each group used over a stretch (1.0 = one core busy the whole time). */
export type CoreUse = Record<string, number>;

/**
 * Samples every group's CPU time at `start()` and at the stop it returns: the difference over the
 * wall-clock time is the cores it used. A process first seen at the stop (a new PostgreSQL backend)
 * counts nothing for that stretch; the groups here are long-lived, so that understates little.
 */
export function cpuMeter(groups: readonly ProcessGroup[]) {
  const snapshot = async (): Promise<Map<string, Map<number, number>>> => {
    const all = new Map<string, Map<number, number>>();
    for (const group of groups) {
      const perPid = new Map<number, number>();
      for (const pid of await group.pids()) {
        const seconds = await cpuSeconds(pid);
        if (seconds !== null) perPid.set(pid, seconds);
      }
      all.set(group.name, perPid);
    }
    return all;
  };
  return {
    async start(): Promise<() => Promise<CoreUse>> {
      const before = await snapshot();
      const machineBefore = await machineBusySeconds();
      const startedAt = performance.now();
      return async () => {
        const after = await snapshot();
        const elapsed = (performance.now() - startedAt) / 1000;
        const use: CoreUse = { [machineKey]: ((await machineBusySeconds()) - machineBefore) / elapsed };
        for (const [name, perPid] of after) {
          let seconds = 0;
          for (const [pid, now] of perPid) seconds += now - (before.get(name)?.get(pid) ?? now);
          use[name] = seconds / elapsed;
        }
        return use;
      };
    },
  };
}

/** The bench process itself (the load generator and its sockets), as a group. */
export const thisProcess: ProcessGroup = { name: 'load generator', pids: () => [process.pid] };
