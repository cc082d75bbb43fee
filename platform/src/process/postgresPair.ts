import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A PostgreSQL primary of our own and one streaming replica of it (docs/cluster.md, ADR 0029):
 * `initdb` in `<dir>/primary`, `pg_basebackup -R` into `<dir>/replica`, each server its own
 * process on its own loopback port. Run as the unprivileged `postgres` account when we are root
 * (PostgreSQL refuses to run as root). Local use only: trust authentication on 127.0.0.1.
 */
export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** The server process's id while it runs. */
  pid(): number | null;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT to the postmaster) and wait for its exit. */
  stop(): Promise<void>;
}

export interface PostgresPair {
  readonly primary: PostgresServer;
  readonly replica: PostgresServer;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  primaryUrl(database?: string): string;
  replicaUrl(database?: string): string;
  stop(): Promise<void>;
}

export interface PostgresPairOptions {
  /** Holds `primary/` and `replica/`; created if missing. Both are kept when they exist already (a restart). */
  readonly dir: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** Default /usr/lib/postgresql/15/bin. */
  readonly binDir?: string;
  /** Durability off (fsync, full pages): for tests and benchmarks whose data dies with them. */
  readonly ephemeral?: boolean;
}

const run = promisify(execFile);

function account(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
      return { uid, gid };
    } catch {
      // no such account: try the next
    }
  }
  throw new Error('PostgreSQL will not run as root and neither `postgres` nor `nobody` exists');
}

const urlOf = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

async function waitUntilAccepting(port: number, exited: () => string | null, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: urlOf(port), connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      const why = exited();
      if (why !== null) throw new Error(`PostgreSQL on port ${port} exited: ${why}`, { cause: error });
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function postgresServer(
  bin: string,
  dataDir: string,
  port: number,
  user: { uid: number; gid: number } | null,
  settings: readonly string[],
): PostgresServer {
  let child: ChildProcess | null = null;
  return {
    port,
    dataDir,
    pid: () => child?.pid ?? null,
    async start() {
      if (child) return;
      const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
      args.push('-c', 'unix_socket_directories=', ...settings.flatMap((setting) => ['-c', setting]));
      // Its own process group: a Ctrl-C meant for the launcher must not stop the database under the services' drain.
      const started = spawn(path.join(bin, 'postgres'), args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
        ...user,
      });
      let log = '';
      let exit: string | null = null;
      started.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4_000)));
      started.once('exit', (code, signal) => {
        exit = `${code ?? signal}\n${log}`;
        if (child === started) child = null;
      });
      child = started;
      await waitUntilAccepting(port, () => exit);
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGINT');
      const killer = setTimeout(() => running.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
      child = null;
    },
  };
}

const exists = (dataDir: string): boolean => existsSync(path.join(dataDir, 'PG_VERSION'));

/** Creates (or reuses) and starts the pair; the replica has replayed the primary's state when this resolves. */
export async function startPostgresPair(options: PostgresPairOptions): Promise<PostgresPair> {
  const bin = options.binDir ?? '/usr/lib/postgresql/15/bin';
  const user = account();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const primaryDir = path.join(options.dir, 'primary');
  const replicaDir = path.join(options.dir, 'replica');
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  if (user) await chown(options.dir, user.uid, user.gid);
  if (!exists(primaryDir)) {
    await run(path.join(bin, 'initdb'), ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], as);
  }
  // Not synchronous_commit=off: WAL would reach the replica only at the WAL writer's pace (200 ms).
  const tuning = options.ephemeral ? ['fsync=off', 'full_page_writes=off'] : [];
  // hot_standby_feedback: the primary keeps rows a replica's running query still reads, so reads
  // are rarely cancelled by a conflict with recovery (they fall back to the primary when they are).
  const shared = [...tuning, 'max_connections=200', 'shared_buffers=64MB', 'hot_standby_feedback=on'];
  const primary = postgresServer(bin, primaryDir, options.primaryPort, user, shared);
  const replica = postgresServer(bin, replicaDir, options.replicaPort, user, shared);
  const pair: PostgresPair = {
    primary,
    replica,
    primaryUrl: (database) => urlOf(options.primaryPort, database),
    replicaUrl: (database) => urlOf(options.replicaPort, database),
    async stop() {
      await replica.stop();
      await primary.stop();
    },
  };
  try {
    await primary.start();
    if (!exists(replicaDir)) {
      const backup = ['-h', '127.0.0.1', '-p', String(options.primaryPort), '-U', 'postgres'];
      await run(path.join(bin, 'pg_basebackup'), [...backup, '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast'], as);
    }
    await replica.start();
    return pair;
  } catch (error) {
    await pair.stop();
    throw error;
  }
}
