import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resident memory of a process in MB, from `VmRSS` in `/proc/<pid>/status` (Linux). */
export async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kilobytes) / 1024;
}

/** How long a process is left alone before its memory counts as "at rest". */
export const restMs = 5_000;

/** Resident memory after `restMs` without requests: what the process keeps, not what a burst took. */
export async function residentAtRestMb(pid: number): Promise<number> {
  await sleep(restMs);
  return residentMb(pid);
}
