import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createBackoff, defaultBackoff, type BackoffPolicy } from './backoff.js';
import { waitForReady } from './readiness.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface ServiceSpec {
  /** Unique within a cluster: `api-1`, `relay-2`, `nginx`, … */
  readonly name: string;
  /** Path of the built entry point run by this Node, relative to the repository root… */
  readonly entry?: string;
  /** …or a program of its own (nginx). */
  readonly command?: string;
  readonly args?: readonly string[];
  /** Options for the Node that runs `entry` (e.g. `--cpu-prof`), before the entry point. */
  readonly nodeArgs?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The JSON log line `msg` that says the service is up (its `url` or `ops` field is the service's URL)… */
  readonly readyMessage: string;
  /** …or, for a program that writes no such line, the `http://host:port` that answers once it is up. */
  readonly readyUrl?: string;
  /** Echo the service's log lines with its name in front (the cluster command does; tests do not). */
  readonly echo?: boolean;
}

export type ServiceState = 'starting' | 'running' | 'backoff' | 'stopped';

export interface ServiceStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly state: ServiceState;
  readonly restarts: number;
  readonly lastExit: { readonly code: number | null; readonly signal: string | null; readonly at: string } | null;
}

export interface SuperviseOptions {
  /** Restart the service when it exits without being asked to (default true). */
  readonly supervise?: boolean;
  readonly backoff?: BackoffPolicy;
  /** One JSON log line per exit and restart. */
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
  readonly timeoutMs?: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly spec: ServiceSpec;
  pid(): number | undefined;
  /** The `url` (or `ops`) field of the ready log line, or the spec's readyUrl. */
  url(): string;
  output(): string;
  running(): boolean;
  status(): ServiceStatus;
  /** On purpose: SIGTERM, SIGKILL after `graceMs`, never restarted; resolves to the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, nothing cleaned up; a supervised service comes back by itself. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a frozen process (GC pause, VM stall) that later wakes up. */
  pause(): void;
  resume(): void;
  /**
   * Starts it again with the same spec (after a stop or a kill), environment overrides added. With
   * `entry`, it runs that built entry point instead of the spec's (same arguments): the fault tests
   * start the same wiring with a crash injected; a later restart without it goes back to the spec's.
   */
  restart(overrides?: Readonly<Record<string, string>>, launchAs?: { readonly entry?: string }): Promise<void>;
  /** Resolves when the service is next up (after a crash and the supervisor's restart). */
  nextStart(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url: string;
  startedAt: number;
}

/**
 * Runs one service as a child process, waits until it is up and, supervised, starts it again with
 * backoff whenever it exits without being asked to, as Kubernetes would. The cluster command and
 * the system tests share it, so the tests start the product exactly the way people do.
 */
export async function startService(spec: ServiceSpec, options: SuperviseOptions = {}): Promise<ServiceProcess> {
  const log = options.log ?? (() => undefined);
  const backoff = createBackoff(options.backoff ?? defaultBackoff);
  const output = { text: '' };
  let env = { ...spec.env };
  let entry = spec.entry;
  let current: Running | null = null;
  let state: ServiceState = 'starting';
  let restarts = 0;
  let lastExit: ServiceStatus['lastExit'] = null;
  let onPurpose = false;
  let timer: NodeJS.Timeout | null = null;
  let starts: (() => void)[] = [];
  /** A start under way: its process (not yet ready) and the promise that settles with it. */
  let launching: { child: ChildProcess | null; done: Promise<void> } | null = null;

  const alive = () => current !== null && current.child.exitCode === null && current.child.signalCode === null;

  async function launch(): Promise<void> {
    state = 'starting';
    const pending: { child: ChildProcess | null; done: Promise<void> } = { child: null, done: Promise.resolve() };
    const run = spawnAndWait(
      entry === undefined ? spec : { ...spec, entry },
      env,
      output,
      options.timeoutMs ?? 60_000,
      (child) => (pending.child = child),
    );
    pending.done = run.then(
      () => undefined,
      () => undefined,
    );
    launching = pending;
    const ready = await run.finally(() => {
      if (launching === pending) launching = null;
    });
    // Stopped while it was starting: it must not outlive the stop.
    if (onPurpose) {
      signalGroup(ready.child, 'SIGKILL');
      await ready.exited;
      return;
    }
    current = { ...ready, startedAt: performance.now() };
    state = 'running';
    for (const resolve of starts) resolve();
    starts = [];
    void ready.exited.then((exit) => onExit(ready.child, exit));
  }

  function onExit(child: ChildProcess, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    // What the dead process left in its group (nginx's workers keep the port) goes with it.
    signalGroup(child, 'SIGKILL');
    if (current?.child !== child) return;
    lastExit = { code: exit.code, signal: exit.signal, at: new Date().toISOString() };
    if (onPurpose || options.supervise === false) {
      state = 'stopped';
      return;
    }
    log('service exited', {
      service: spec.name,
      servicePid: child.pid,
      code: exit.code,
      signal: exit.signal,
      restarts,
    });
    scheduleRestart(backoff.next(performance.now() - (current?.startedAt ?? 0)));
  }

  function scheduleRestart(delayMs: number): void {
    state = 'backoff';
    log('restarting service in N ms', { service: spec.name, delayMs, restarts: restarts + 1 });
    timer = setTimeout(() => {
      timer = null;
      if (onPurpose) return;
      restarts += 1;
      launch().catch((error: unknown) => {
        if (onPurpose) return;
        log('service failed to start', {
          service: spec.name,
          error: error instanceof Error ? error.message.split('\n')[0] : String(error),
          restarts,
        });
        scheduleRestart(backoff.next(0));
      });
    }, delayMs);
  }

  await launch();

  return {
    name: spec.name,
    spec,
    pid: () => current?.child.pid,
    url: () => current?.url ?? '',
    output: () => output.text,
    running: alive,
    status: () => ({ name: spec.name, pid: alive() ? (current?.child.pid ?? null) : null, state, restarts, lastExit }),
    async stop(graceMs = 10_000) {
      onPurpose = true;
      if (timer) clearTimeout(timer);
      timer = null;
      state = 'stopped';
      if (launching) {
        const { child, done } = launching;
        if (child) signalGroup(child, 'SIGTERM');
        const kill = setTimeout(() => child && signalGroup(child, 'SIGKILL'), graceMs);
        await done;
        clearTimeout(kill);
      }
      if (!current) return null;
      const { child, exited } = current;
      if (alive()) {
        signalGroup(child, 'SIGCONT');
        signalGroup(child, 'SIGTERM');
        const kill = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        const { code } = await exited;
        clearTimeout(kill);
        return code;
      }
      return (await exited).code;
    },
    async kill() {
      if (!current) return;
      if (alive()) signalGroup(current.child, 'SIGKILL');
      await current.exited;
    },
    pause() {
      if (alive() && current) signalGroup(current.child, 'SIGSTOP');
    },
    resume() {
      if (alive() && current) signalGroup(current.child, 'SIGCONT');
    },
    async restart(overrides = {}, launchAs = {}) {
      if (alive()) throw new Error(`${spec.name} is still running`);
      entry = launchAs.entry ?? spec.entry;
      if (timer) clearTimeout(timer);
      timer = null;
      onPurpose = false;
      env = { ...env, ...overrides };
      await launch();
    },
    nextStart: () => new Promise<void>((resolve) => starts.push(resolve)),
  };
}

/** The service and whatever it started (its own process group, see `detached` below). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Spawns the service in its own process group and waits for its ready line (or port). */
async function spawnAndWait(
  spec: ServiceSpec,
  env: Record<string, string>,
  output: { text: string },
  timeoutMs: number,
  onSpawn: (child: ChildProcess) => void,
) {
  const [command, args] = spec.command
    ? [spec.command, spec.args ?? []]
    : [process.execPath, [...(spec.nodeArgs ?? []), path.join(repoRoot, spec.entry ?? ''), ...(spec.args ?? [])]];
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which then
    // stops every service once, in order (a second signal would make them exit at once).
    detached: true,
  });
  onSpawn(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    const url = await waitForReady({ spec, child, exited, output, timeoutMs });
    return { child, exited, url };
  } catch (error) {
    signalGroup(child, 'SIGKILL');
    throw error;
  }
}
