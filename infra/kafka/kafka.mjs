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
// What it shares with infra/opensearch (the handle, the pid file CLI, the wait) is infra/lib/localService.mjs.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
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

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
export const kafkaLibDir = join(here, '.cache', 'lib');
const run = promisify(execFile);

const log = logger('kafka');

/** Copies Kafka's jars from Maven Central (through the local Maven repository) unless they are cached. */
export async function fetchKafka() {
  if (existsSync(kafkaLibDir) && readdirSync(kafkaLibDir).some((name) => name.startsWith('kafka_2.13-3.9')))
    return kafkaLibDir;
  log('fetching Apache Kafka 3.9.1 with Maven (first run only)…');
  mkdirSync(kafkaLibDir, { recursive: true });
  await maven([
    '-f',
    join(here, 'pom.xml'),
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${kafkaLibDir}`,
  ]);
  log(`jars cached in ${kafkaLibDir}`);
  return kafkaLibDir;
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
  await waitUntilReady(
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.listTopics();
        await admin.disconnect();
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
    },
    timeoutMs,
    (last) => `Kafka on port ${port} did not answer within ${timeoutMs} ms: ${last}`,
  );
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
  const broker = await superviseStart(child, {
    name: 'Kafka',
    ready: () => answers(port, options.timeoutMs ?? 90_000),
    logFile,
    dataDir,
    detached: options.detached,
  });
  return { brokers: [`127.0.0.1:${port}`], port, controllerPort, ...broker };
}

runCliIfMain(import.meta.url, {
  script: 'kafka.mjs',
  noun: 'broker',
  log,
  repoRoot,
  defaultPort: 19092,
  dataDirName: 'kafka',
  pidFileName: 'broker.pid',
  fetch: fetchKafka,
  /** A Kafka broker started with this data directory. */
  isOurs: (pid, dataDir) => commandLineHas(pid, ['kafka.Kafka', join(dataDir, 'server.properties')]),
  answers,
  async launch(port, dataDir) {
    const controllerPort = Number(argument('controller-port', String(port + 1)));
    log(`starting on 127.0.0.1:${port} (controller ${controllerPort}), data in ${dataDir}…`);
    const broker = await startKafka({ port, controllerPort, dataDir, detached: true });
    return { pid: broker.pid, address: broker.brokers[0] };
  },
});
