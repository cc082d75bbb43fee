// What infra/kafka/kafka.mjs and infra/opensearch/opensearch.mjs share: a loopback-only server run
// as a child process without Docker, fetched once from Maven Central, started by the tests (owned by
// the caller, stopped by its pid) or left running in the background by a CLI that keeps a pid file
// in the server's data directory. Each script passes in what differs: its log prefix, its readiness
// check, its fetch, the command-line needles that recognise its process, its pid file and port.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A logger to stderr with a `[prefix] ` in front of each line. */
export const logger = (prefix) => (message) => process.stderr.write(`[${prefix}] ${message}\n`);

/** Runs Maven quietly in batch mode (`mvn -q -B …args`). */
export async function maven(args) {
  await run('mvn', ['-q', '-B', ...args], { maxBuffer: 16 * 1024 * 1024 });
}

/**
 * A loopback TCP port nobody listens on right now, never the same twice in one process. Picked below Linux's
 * ephemeral range (32768–60999), where the kernel takes the local ports of outgoing connections: a port from
 * there could be some client's before the server it was picked for listens on it.
 */
export async function freePort() {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (handedOut.has(port)) continue;
    // Taken before the check, so that a concurrent call cannot pick it meanwhile.
    handedOut.add(port);
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  throw new Error('freePort: no free port in 20000-32767 after 200 tries');
}

const handedOut = new Set();

function canListen(port) {
  return new Promise((resolveListening) => {
    const server = createServer();
    server.once('error', () => resolveListening(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveListening(true)));
  });
}

/**
 * Calls `probe` every 250 ms until it resolves; once `timeoutMs` has passed, the next failure throws
 * `failure(<the probe's last error message>)`.
 */
export async function waitUntilReady(probe, timeoutMs, failure) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(failure(error.message));
      await sleep(250);
    }
  }
}

/**
 * Waits until the just spawned `child` is `ready()` (SIGKILLs it and throws if that fails, or throws
 * if it exits first) and returns the part of its handle every server has. `detached` leaves it
 * running after this process ends (the CLI); otherwise the caller stops it.
 */
export async function superviseStart(child, { name, ready, logFile, dataDir, detached }) {
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let early = null;
  void exited.then((how) => (early = how));
  try {
    await Promise.race([
      ready(),
      exited.then((how) =>
        Promise.reject(new Error(`${name} exited while starting (${JSON.stringify(how)}); see ${logFile}`)),
      ),
    ]);
  } catch (error) {
    if (!early) child.kill('SIGKILL');
    throw error;
  }
  if (detached) child.unref();
  return {
    dataDir,
    pid: child.pid,
    logFile,
    /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
    async stop(graceMs = 15_000) {
      if (early || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    /** Stops the server and deletes its data directory. */
    async destroy() {
      await this.stop(5_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** True when the command line of `pid` contains every needle (a pid file can outlive its process). */
export function commandLineHas(pid, needles) {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return needles.every((needle) => commandLine.includes(needle));
  } catch {
    return false;
  }
}

/** The value after `--name` on this process's command line, else `fallback`. */
export function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

/**
 * `<script> fetch | start [--port N] [--dir D] | stop [--port N] [--dir D]`: `start` reuses a live
 * server of ours found through the pid file (else drops a stale pid file), starts one detached
 * through `launch(port, dataDir)` (which resolves to `{ pid, address }`) and writes its pid; `stop`
 * sends SIGTERM, then SIGKILL after 15 s.
 */
async function cli(service) {
  const { script, noun, log, defaultPort, dataDirName, pidFileName, fetch, isOurs, answers, launch } = service;
  const command = process.argv[2];
  const port = Number(argument('port', String(defaultPort)));
  const dataDir = resolve(argument('dir', join(service.repoRoot, '.data', `${dataDirName}-${port}`)));
  const pidFile = join(dataDir, pidFileName);
  if (command === 'fetch') {
    await fetch();
  } else if (command === 'start') {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        if (!isOurs(pid, dataDir)) throw new Error('stale pid file');
        process.kill(pid, 0);
        await answers(port, 60_000);
        log(`already running (pid ${pid}) on 127.0.0.1:${port}`);
        return;
      } catch {
        rmSync(pidFile, { force: true });
      }
    }
    const started = await launch(port, dataDir);
    writeFileSync(pidFile, String(started.pid));
    log(`ready on ${started.address} (pid ${started.pid})`);
  } else if (command === 'stop') {
    if (!existsSync(pidFile)) {
      log('not running (no pid file)');
      return;
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (!isOurs(pid, dataDir)) {
      log(`pid ${pid} is not this ${noun} any more; removing the stale pid file`);
      rmSync(pidFile, { force: true });
      return;
    }
    try {
      process.kill(pid, 'SIGTERM');
      for (let n = 0; n < 150; n += 1) {
        process.kill(pid, 0);
        await sleep(100);
      }
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(pidFile, { force: true });
    log(`stopped (pid ${pid})`);
  } else {
    process.stderr.write(`usage: ${script} fetch | start [--port N] [--dir D] | stop [--port N] [--dir D]\n`);
    process.exitCode = 2;
  }
}

/** Runs the CLI of `service` when the module at `moduleUrl` is the script node was started with. */
export function runCliIfMain(moduleUrl, service) {
  if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(moduleUrl)) {
    cli(service).catch((error) => {
      service.log(error.message);
      process.exit(1);
    });
  }
}
