import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes `dir` (created if missing) readable by its owner only, and takes the group and other
 * permission bits off everything already inside it. The embedded data directory holds e-mails,
 * password hashes and the JWT secret; PGlite creates its files with mode 0666, so the process
 * umask is tightened too (`restrictNewFiles`).
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const stat = await lstat(current);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      await chmod(current, 0o700);
      for (const name of await readdir(current)) pending.push(path.join(current, name));
    } else if ((stat.mode & 0o077) !== 0) {
      await chmod(current, stat.mode & 0o700);
    }
  }
}

/** New files and directories of this process get no group or other permissions. */
export function restrictNewFiles(): void {
  process.umask(0o077);
}
