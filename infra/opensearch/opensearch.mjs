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
// What it shares with infra/kafka (the handle, the pid file CLI, the wait) is infra/lib/localService.mjs.
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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  argument,
  commandLineHas,
  freePort,
  logger,
  maven,
  runCliIfMain,
  superviseStart,
  waitUntilReady,
} from '../lib/localService.mjs';

export { freePort };

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

const log = logger('opensearch');

async function mavenCopy(artifact, outputDirectory) {
  await maven(['dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${outputDirectory}`]);
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

/** Resolves once the cluster health is green (a search right after start can answer 503). */
async function green(port, timeoutMs) {
  await waitUntilReady(
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}/_cluster/health?wait_for_status=green&timeout=1s`, {
        signal: AbortSignal.timeout(3_000),
      });
      const body = await response.json();
      if (!response.ok || body.status !== 'green') throw new Error(`status ${body.status ?? response.status}`);
    },
    timeoutMs,
    (last) => `OpenSearch on port ${port} not green within ${timeoutMs} ms: ${last}`,
  );
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

/** True when every directory above `path` lets others through (the search bit). */
function othersReach(path) {
  for (let dir = dirname(path); dir !== '/'; dir = dirname(dir)) if ((statSync(dir).mode & 0o001) === 0) return false;
  return true;
}

/**
 * The distribution `nobody` runs. A checkout below a private directory (`/root`, a 0700 temporary
 * directory) hides the cached one from it: then a copy goes beside the data directory, whose parents
 * `handOver` opens, instead of opening directories this script did not create.
 */
function reachableHome(home, dataDir) {
  if (!isRoot() || othersReach(join(home, 'bin'))) return home;
  const copy = join(dirname(dataDir), 'opensearch-home');
  if (!existsSync(copy)) cpSync(home, copy, { recursive: true });
  return copy;
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
  const runHome = reachableHome(home, dataDir);
  const logFile = join(dataDir, 'node.out');
  const out = openSync(logFile, 'a');
  const args = [
    join(runHome, 'bin', 'opensearch'),
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
  const node = await superviseStart(child, {
    name: 'OpenSearch',
    ready: () => green(port, options.timeoutMs ?? 120_000),
    logFile,
    dataDir,
    detached: options.detached,
  });
  return { url: `http://127.0.0.1:${port}`, port, transportPort, ...node };
}

runCliIfMain(import.meta.url, {
  script: 'opensearch.mjs',
  noun: 'node',
  log,
  repoRoot,
  defaultPort: 19200,
  dataDirName: 'opensearch',
  pidFileName: 'node.pid',
  fetch: fetchOpenSearch,
  /** The runuser or Java process of a node started with this data directory. */
  isOurs: (pid, dataDir) => commandLineHas(pid, ['opensearch', join(dataDir, 'data')]),
  answers: green,
  async launch(port, dataDir) {
    const transportPort = Number(argument('transport-port', String(port + 100)));
    log(`starting on 127.0.0.1:${port} (transport ${transportPort}), data in ${dataDir}…`);
    const node = await startOpenSearch({ port, transportPort, dataDir, detached: true });
    return { pid: node.pid, address: node.url };
  },
});
