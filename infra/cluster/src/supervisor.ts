import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface ServiceSpec {
  /** Unique within a cluster: `api-1`, `relay-2`, … */
  readonly name: string;
  /** Path of the built entry point, relative to the repository root. */
  readonly entry: string;
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The JSON log line `msg` that says the service is up. */
  readonly readyMessage: string;
  /** Echo the service's log lines with its name in front (the cluster command does; tests do not). */
  readonly echo?: boolean;
}

export interface ServiceProcess {
  readonly name: string;
  readonly spec: ServiceSpec;
  pid(): number | undefined;
  /** The `url` (or `ops`) field of the ready log line. */
  url(): string;
  output(): string;
  running(): boolean;
  /** SIGTERM, SIGKILL after `graceMs`; resolves to the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, nothing cleaned up. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a frozen process (GC pause, VM stall) that later wakes up. */
  pause(): void;
  resume(): void;
  /** Starts it again with the same spec (after a stop or a kill). */
  restart(overrides?: Readonly<Record<string, string>>): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  url: string;
}

/**
 * Runs one built service as a child process and waits for its ready log line. The cluster command
 * and the system tests share it, so the tests start the product exactly the way people do.
 */
export async function startService(spec: ServiceSpec, timeoutMs = 60_000): Promise<ServiceProcess> {
  let output = '';
  let current: Running | null = null;
  let env = { ...spec.env };

  async function launch(): Promise<Running> {
    const child = spawn(process.execPath, [path.join(repoRoot, spec.entry), ...(spec.args ?? [])], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which then
      // stops every service once, in order (a second signal would make them exit at once).
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let pending = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${spec.name} did not start in ${timeoutMs} ms:\n${output.slice(-4000)}`));
      }, timeoutMs);
      const onLine = (line: string) => {
        if (spec.echo) process.stdout.write(`${spec.name.padEnd(12)} ${line}\n`);
        if (!line.includes(spec.readyMessage)) return;
        try {
          const parsed = JSON.parse(line) as { url?: string; ops?: string; msg?: string };
          if (parsed.msg !== spec.readyMessage) return;
          clearTimeout(timer);
          resolve(parsed.url ?? parsed.ops ?? '');
        } catch {
          // not a JSON log line
        }
      };
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        if (output.length > 2_000_000) output = output.slice(-1_000_000);
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${spec.name} exited with ${code} before it was ready:\n${output.slice(-4000)}`));
      });
    });
    return { child, exited, url };
  }

  current = await launch();
  const alive = () => current !== null && current.child.exitCode === null && current.child.signalCode === null;

  return {
    name: spec.name,
    spec,
    pid: () => current?.child.pid,
    url: () => current?.url ?? '',
    output: () => output,
    running: alive,
    async stop(graceMs = 10_000) {
      if (!current) return null;
      const { child, exited } = current;
      if (alive()) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
    async kill() {
      if (!current) return;
      if (alive()) current.child.kill('SIGKILL');
      await current.exited;
    },
    pause() {
      if (alive()) current?.child.kill('SIGSTOP');
    },
    resume() {
      if (alive()) current?.child.kill('SIGCONT');
    },
    async restart(overrides = {}) {
      if (alive()) throw new Error(`${spec.name} is still running`);
      env = { ...env, ...overrides };
      current = await launch();
    },
  };
}
