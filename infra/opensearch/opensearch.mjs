#!/usr/bin/env node
// A single-node OpenSearch 2.19 (loopback only, no security plugin) without Docker, shared by the
// tests, the local cluster and .ci/run (docs/adr/0024-search-engine.md). The distribution and the
// analysis-common module come from Maven Central through Maven, once, into infra/opensearch/.cache;
// nothing downloads at run time after that.
//
//   node infra/opensearch/opensearch.mjs fetch                     fetch and assemble the distribution
//   node infra/opensearch/opensearch.mjs start [--port 19200] [--dir .data/opensearch-19200]
//                                                                  start in the background, wait for green
//   node infra/opensearch/opensearch.mjs stop [--port 19200] [--dir …]
//
// Imported, `startOpenSearch()` starts a node owned by the caller (tests stop it by its pid).
// OpenSearch refuses to run as root: as root, the node runs as `nobody` (runuser) and its data
// directory is chown'd to that user; the distribution itself stays read-only to it.
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const openSearchVersion = '2.19.6';
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const cacheDir = join(here, '.cache');
export const openSearchHome = join(cacheDir, `opensearch-${openSearchVersion}`);
// Java 17 (newer releases fail on the Security Manager OpenSearch 2.19 installs).
const debianJava17 = '/usr/lib/jvm/java-17-openjdk-amd64';
const javaHome =
  process.env.OPENSEARCH_JAVA_HOME ??
  (existsSync(debianJava17) ? debianJava17 : (process.env.JAVA_HOME ?? debianJava17));
const run = promisify(execFile);

const log = (message) => process.stderr.write(`[opensearch] ${message}\n`);

async function mavenCopy(artifact, outputDirectory) {
  await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${outputDirectory}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * Unzips the integration-test distribution (it has only the transport-netty4 module) and adds the
 * analysis-common module (the `asciifolding` filter, language analyzers), unless already assembled.
 */
export async function fetchOpenSearch() {
  const moduleDir = join(openSearchHome, 'modules', 'analysis-common');
  if (existsSync(join(moduleDir, 'plugin-descriptor.properties'))) return openSearchHome;
  log(`fetching OpenSearch ${openSearchVersion} with Maven (first run only)…`);
  const download = join(cacheDir, 'download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  await mavenCopy(`org.opensearch.distribution.integ-test-zip:opensearch:${openSearchVersion}:zip`, download);
  await mavenCopy(`org.opensearch.plugin:analysis-common:${openSearchVersion}`, download);
  const staging = join(cacheDir, 'staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run('unzip', ['-q', join(download, `opensearch-${openSearchVersion}.zip`), '-d', staging]);
  const home = join(staging, `opensearch-${openSearchVersion}`);
  const stagedModule = join(home, 'modules', 'analysis-common');
  mkdirSync(stagedModule, { recursive: true });
  cpSync(
    join(download, `analysis-common-${openSearchVersion}.jar`),
    join(stagedModule, `analysis-common-${openSearchVersion}.jar`),
  );
  writeFileSync(
    join(stagedModule, 'plugin-descriptor.properties'),
    [
      'description=Adds "built in" analyzers to OpenSearch.',
      `version=${openSearchVersion}`,
      'name=analysis-common',
      // 2.19's class (3.x renamed it CommonAnalysisModulePlugin).
      'classname=org.opensearch.analysis.common.CommonAnalysisPlugin',
      'java.version=11',
      `opensearch.version=${openSearchVersion}`,
      'extended.plugins=',
      'has.native.controller=false',
      '',
    ].join('\n'),
  );
  rmSync(openSearchHome, { recursive: true, force: true });
  renameSync(home, openSearchHome);
  rmSync(staging, { recursive: true, force: true });
  rmSync(download, { recursive: true, force: true });
  log(`assembled in ${openSearchHome}`);
  return openSearchHome;
}

/** A TCP port nobody listens on right now (the kernel picks it). */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Resolves once the cluster health is green (a search right after start can answer 503). */
async function green(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/_cluster/health?wait_for_status=green&timeout=1s`, {
        signal: AbortSignal.timeout(3_000),
      });
      const body = await response.json();
      if (response.ok && body.status === 'green') return;
      last = `status ${body.status ?? response.status}`;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline) throw new Error(`OpenSearch on port ${port} not green within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** `nobody` must reach the data directory: every parent needs the search (x) bit for others. */
function handOver(dataDir) {
  if (!isRoot()) return;
  const entry = /^nobody:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
  const nobody = Number(entry?.[1] ?? 65534);
  const nogroup = Number(entry?.[2] ?? 65534);
  // Search permission (o+x) only, on parents that lack it (mkdtemp makes 0700 directories).
  for (let dir = dirname(dataDir); dir !== '/'; dir = dirname(dir)) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
  }
  const chownTree = (path) => {
    chownSync(path, nobody, nogroup);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) chownTree(child);
      else chownSync(child, nobody, nogroup);
    }
  };
  chownTree(dataDir);
}

/**
 * Starts a node with its own data, logs and config directory; resolves once the cluster is green.
 * `detached` leaves it running after this process ends (the CLI); otherwise the caller stops it.
 */
export async function startOpenSearch(options = {}) {
  const port = options.port ?? (await freePort());
  const transportPort = options.transportPort ?? (await freePort());
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data', `opensearch-${port}`));
  const heap = options.heap ?? '512m';
  const home = await fetchOpenSearch();
  const confDir = join(dataDir, 'config');
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  mkdirSync(join(dataDir, 'tmp'), { recursive: true });
  if (!existsSync(confDir)) {
    cpSync(join(home, 'config'), confDir, { recursive: true });
    // The launcher runs in the (read-only) distribution: its relative log and dump paths go here instead.
    const jvmOptions = join(confDir, 'jvm.options');
    writeFileSync(
      jvmOptions,
      readFileSync(jvmOptions, 'utf8')
        .replaceAll('logs/', `${join(dataDir, 'logs')}/`)
        .replace(/HeapDumpPath=data\b/, `HeapDumpPath=${join(dataDir, 'data')}`),
    );
  }
  handOver(dataDir);
  const logFile = join(dataDir, 'node.out');
  const out = openSync(logFile, 'a');
  const args = [
    join(home, 'bin', 'opensearch'),
    '-Ediscovery.type=single-node',
    '-Ehttp.host=127.0.0.1',
    `-Ehttp.port=${port}`,
    '-Etransport.host=127.0.0.1',
    `-Etransport.port=${transportPort}`,
    `-Epath.data=${join(dataDir, 'data')}`,
    `-Epath.logs=${join(dataDir, 'logs')}`,
    '-Ecluster.name=primetrade-search',
    // A small test or laptop disk must not turn indexes read-only.
    '-Ecluster.routing.allocation.disk.threshold_enabled=false',
  ];
  const [command, ...rest] = isRoot() ? ['runuser', '-u', 'nobody', '--', ...args] : args;
  const child = spawn(command, rest, {
    stdio: ['ignore', out, out],
    detached: options.detached ?? false,
    env: {
      ...process.env,
      OPENSEARCH_JAVA_HOME: javaHome,
      OPENSEARCH_PATH_CONF: confDir,
      OPENSEARCH_TMPDIR: join(dataDir, 'tmp'),
      OPENSEARCH_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
    },
  });
  closeSync(out);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let early = null;
  void exited.then((how) => (early = how));
  try {
    await Promise.race([
      green(port, options.timeoutMs ?? 120_000),
      exited.then((how) =>
        Promise.reject(new Error(`OpenSearch exited while starting (${JSON.stringify(how)}); see ${logFile}`)),
      ),
    ]);
  } catch (error) {
    if (!early) child.kill('SIGKILL');
    throw error;
  }
  if (options.detached) child.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    transportPort,
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
    /** Stops the node and deletes its data directory. */
    async destroy() {
      await this.stop(5_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** True when `pid` is the runuser or Java process of a node started with this data directory. */
function isOurNode(pid, dataDir) {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes('opensearch') && commandLine.includes(join(dataDir, 'data'));
  } catch {
    return false;
  }
}

function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

async function cli() {
  const command = process.argv[2];
  const port = Number(argument('port', '19200'));
  const dataDir = resolve(argument('dir', join(repoRoot, '.data', `opensearch-${port}`)));
  const pidFile = join(dataDir, 'node.pid');
  if (command === 'fetch') {
    await fetchOpenSearch();
  } else if (command === 'start') {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        if (!isOurNode(pid, dataDir)) throw new Error('stale pid file');
        process.kill(pid, 0);
        await green(port, 60_000);
        log(`already running (pid ${pid}) on 127.0.0.1:${port}`);
        return;
      } catch {
        rmSync(pidFile, { force: true });
      }
    }
    const transportPort = Number(argument('transport-port', String(port + 100)));
    log(`starting on 127.0.0.1:${port} (transport ${transportPort}), data in ${dataDir}…`);
    const node = await startOpenSearch({ port, transportPort, dataDir, detached: true });
    writeFileSync(pidFile, String(node.pid));
    log(`ready on ${node.url} (pid ${node.pid})`);
  } else if (command === 'stop') {
    if (!existsSync(pidFile)) {
      log('not running (no pid file)');
      return;
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (!isOurNode(pid, dataDir)) {
      log(`pid ${pid} is not this node any more; removing the stale pid file`);
      rmSync(pidFile, { force: true });
      return;
    }
    try {
      process.kill(pid, 'SIGTERM');
      for (let n = 0; n < 150; n += 1) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(pidFile, { force: true });
    log(`stopped (pid ${pid})`);
  } else {
    process.stderr.write('usage: opensearch.mjs fetch | start [--port N] [--dir D] | stop [--port N] [--dir D]\n');
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli().catch((error) => {
    log(error.message);
    process.exit(1);
  });
}
