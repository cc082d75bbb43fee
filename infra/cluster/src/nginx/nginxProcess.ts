import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceSpec } from '../supervisor.js';
import { renderNginxConfig, type NginxTarget } from './render.js';

const nginxBinary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];

/** Debian's nginx, or a clear way to get it. */
export function findNginx(): string {
  const found = nginxBinary.find((candidate) => existsSync(candidate));
  if (!found)
    throw new Error('nginx is not installed: the local cluster runs it in front of the nodes (apt-get install nginx)');
  return found;
}

/** The unprivileged account nginx runs as when we are root (as in CI and containers). */
function nobody(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
  return { uid, gid };
}

/**
 * Whether nginx, running as `nobody` when we are root, can reach `dir`: every existing ancestor must
 * let others search it (a checkout under /root, or in a 0700 temporary folder, does not).
 */
export function reachableByNginx(dir: string): boolean {
  if (process.getuid?.() !== 0) return true;
  for (let current = path.dirname(path.resolve(dir)); ; current = path.dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/**
 * Copies the built web client into the prefix, where nginx can read it whatever the permissions of
 * the checkout it comes from; returns the copy's path, the web root to render.
 */
export async function copyWebRoot(webRoot: string, prefix: string): Promise<string> {
  const copy = path.join(prefix, 'html');
  await cp(webRoot, copy, { recursive: true, force: true });
  return copy;
}

/**
 * Renders the local target into `prefix` (created, owned by the account nginx runs as) and
 * returns the service spec that runs nginx in the foreground: as `nobody`
 * (setpriv) when we are root, as ourselves otherwise. nginx logs errors on stderr; it writes no ready line
 * of its own, so the supervisor waits for the port instead.
 */
export async function prepareNginx(target: NginxTarget, prefix: string): Promise<ServiceSpec> {
  const binary = findNginx();
  await mkdir(path.join(prefix, 'tmp'), { recursive: true });
  const config = path.join(prefix, 'nginx.conf');
  await writeFile(config, renderNginxConfig(target));
  const account = nobody();
  if (account) {
    for (const dir of [prefix, path.join(prefix, 'tmp')]) await chown(dir, account.uid, account.gid);
    await chmod(prefix, 0o755);
  }
  const nginxArgs = ['-p', prefix, '-c', config, '-e', 'stderr', '-g', 'daemon off;'];
  // setpriv execs nginx (runuser would stay in between as its parent, and a SIGKILL would miss nginx).
  const [command, args] = account
    ? ['setpriv', [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--clear-groups', '--', binary, ...nginxArgs]]
    : [binary, nginxArgs];
  return { name: 'nginx', command, args, env: {}, readyMessage: '', readyUrl: `http://${target.listen}`, echo: false };
}
