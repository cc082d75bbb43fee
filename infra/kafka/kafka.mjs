#!/usr/bin/env node
// A single-node Apache Kafka 3.9 broker (KRaft, loopback only) without Docker, shared by the
// tests, the local cluster and .ci/run. The jars come from Maven Central through Maven, once,
// into infra/kafka/.cache/lib; nothing downloads at run time after that.
//
//   node infra/kafka/kafka.mjs fetch                       copy the jars into the cache
//   node infra/kafka/kafka.mjs start [--port 19092] [--dir .data/kafka-19092]
//                                                          start in the background, wait until it answers
//   node infra/kafka/kafka.mjs stop [--port 19092] [--dir …] stop the broker that `start` left running
//
// Imported, `startKafka()` starts a broker owned by the caller (tests stop it by its pid).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
export const kafkaLibDir = join(here, '.cache', 'lib');
const run = promisify(execFile);

const log = (message) => process.stderr.write(`[kafka] ${message}\n`);

/** Copies Kafka's jars from Maven Central (through the local Maven repository) unless they are cached. */
export async function fetchKafka() {
  if (existsSync(kafkaLibDir) && readdirSync(kafkaLibDir).some((name) => name.startsWith('kafka_2.13-3.9')))
    return kafkaLibDir;
  log('fetching Apache Kafka 3.9.1 with Maven (first run only)…');
  mkdirSync(kafkaLibDir, { recursive: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(here, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${kafkaLibDir}`,
    ],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  log(`jars cached in ${kafkaLibDir}`);
  return kafkaLibDir;
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

function serverProperties({ port, controllerPort, dataDir, partitions }) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dataDir, 'log')}`,
    `num.partitions=${partitions}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are created by the services with their own settings; nothing appears by accident.
    'auto.create.topics.enable=false',
    'log.retention.hours=-1',
    'log.cleanup.policy=delete',
    '',
  ].join('\n');
}

async function answers(port, timeoutMs) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'kafka-ready-check',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      await admin.disconnect();
      return;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`Kafka on port ${port} did not answer within ${timeoutMs} ms: ${error.message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Formats (first time only) and starts a broker; resolves once kafkajs can list its topics.
 * `detached` leaves it running after this process ends (the CLI); otherwise the caller stops it.
 */
export async function startKafka(options = {}) {
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data', `kafka-${port}`));
  const heap = options.heap ?? '512m';
  const lib = await fetchKafka();
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dataDir, 'server.properties');
  writeFileSync(properties, serverProperties({ port, controllerPort, dataDir, partitions: options.partitions ?? 8 }));
  const classpath = `${lib}/*`;
  const clusterIdFile = join(dataDir, 'cluster.id');
  if (!existsSync(clusterIdFile)) writeFileSync(clusterIdFile, 'cHJpbWV0cmFkZS1rYWZrYQ');
  const clusterId = readFileSync(clusterIdFile, 'utf8').trim();
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  await run(
    java,
    ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties, '--ignore-formatted'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const logFile = join(dataDir, 'broker.out');
  const out = openSync(logFile, 'a');
  const child = spawn(
    java,
    [
      `-Xmx${heap}`,
      `-Xms${heap}`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(here, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${dataDir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      properties,
    ],
    { stdio: ['ignore', out, out], detached: options.detached ?? false },
  );
  closeSync(out);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let early = null;
  void exited.then((how) => (early = how));
  try {
    await Promise.race([
      answers(port, options.timeoutMs ?? 90_000),
      exited.then((how) =>
        Promise.reject(new Error(`Kafka exited while starting (${JSON.stringify(how)}); see ${logFile}`)),
      ),
    ]);
  } catch (error) {
    if (!early) child.kill('SIGKILL');
    throw error;
  }
  if (options.detached) child.unref();
  const brokers = [`127.0.0.1:${port}`];
  return {
    brokers,
    port,
    controllerPort,
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
    /** Stops the broker and deletes its data directory. */
    async destroy() {
      await this.stop(5_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** True when `pid` is a Kafka broker started with this data directory (a pid file can outlive its process). */
function isOurBroker(pid, dataDir) {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes('kafka.Kafka') && commandLine.includes(join(dataDir, 'server.properties'));
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
  const port = Number(argument('port', '19092'));
  const dataDir = resolve(argument('dir', join(repoRoot, '.data', `kafka-${port}`)));
  const pidFile = join(dataDir, 'broker.pid');
  if (command === 'fetch') {
    await fetchKafka();
  } else if (command === 'start') {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        if (!isOurBroker(pid, dataDir)) throw new Error('stale pid file');
        process.kill(pid, 0);
        await answers(port, 60_000);
        log(`already running (pid ${pid}) on 127.0.0.1:${port}`);
        return;
      } catch {
        rmSync(pidFile, { force: true });
      }
    }
    const controllerPort = Number(argument('controller-port', String(port + 1)));
    log(`starting on 127.0.0.1:${port} (controller ${controllerPort}), data in ${dataDir}…`);
    const broker = await startKafka({ port, controllerPort, dataDir, detached: true });
    writeFileSync(pidFile, String(broker.pid));
    log(`ready on 127.0.0.1:${port} (pid ${broker.pid})`);
  } else if (command === 'stop') {
    if (!existsSync(pidFile)) {
      log('not running (no pid file)');
      return;
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (!isOurBroker(pid, dataDir)) {
      log(`pid ${pid} is not this broker any more; removing the stale pid file`);
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
    process.stderr.write('usage: kafka.mjs fetch | start [--port N] [--dir D] | stop [--port N] [--dir D]\n');
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli().catch((error) => {
    log(error.message);
    process.exit(1);
  });
}
