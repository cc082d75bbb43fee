import { writeSync } from 'node:fs';
import { createLogger, loadConfig, runService, type EventBus, type Sql } from '@primetrade/platform';
import { afterEachPublish } from '@primetrade/platform/testkit/faultyBus.testkit.js';
import { faultySql, type Statement } from '@primetrade/platform/testkit/faultySql.testkit.js';
import { projectionProgressChannel } from '@primetrade/read-model';
import { startProjectorNode, startRelayNode } from '@primetrade/server';

/**
 * `node .tmp/tests-dist/kit/crashingProjectorNodes.main.js relay|projector`: the wiring of
 * `server/src/projector.main.ts`, with a crash injected around a port (docs/testing.md, faults 4 and 7).
 * The relay kills itself after Kafka acked its first batch, before the checkpoint; the projector
 * inside its first batch transaction that applied events, before the commit. Built by `npm run build`
 * (`tests/tsconfig.json`); `tests/cluster.e2e.spec.ts` restarts a relay or the projector with it.
 */

function killThisProcess(message: string): never {
  // Written synchronously: the log line must reach the supervisor before the kill.
  writeSync(2, `${JSON.stringify({ level: 40, msg: message })}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL returned');
}

const crashAfterAck = (bus: EventBus): EventBus =>
  afterEachPublish(bus, () =>
    killThisProcess('fault injection: killing the relay between the Kafka ack and the checkpoint'),
  );

/** Progress notified by a statement of its own, or inside the batch's one write script (ADR 0019). */
const notifiesProgress = (statement: Statement): boolean =>
  statement.params[0] === projectionProgressChannel ||
  (statement.text.includes('pg_notify(') && statement.text.includes(`'${projectionProgressChannel}'`));

/** A Kafka batch's transaction that changed the read models: it stores the partition's offset and notifies progress. */
const appliedKafkaBatch = (statements: readonly Statement[]): boolean =>
  statements.some((statement) => statement.text.includes('UPDATE projection_offsets')) &&
  statements.some(notifiesProgress);

const crashInBatch = (sql: Sql): Sql =>
  faultySql(sql, {
    beforeCommit: (statements) => {
      if (appliedKafkaBatch(statements))
        killThisProcess('fault injection: killing the projector inside a batch transaction');
    },
  });

runService(async () => {
  const role = process.argv[2];
  if (role !== 'relay' && role !== 'projector')
    throw new Error('usage: node .tmp/tests-dist/kit/crashingProjectorNodes.main.js relay|projector');
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: `primetrade-${role}` });
  const service =
    role === 'relay'
      ? await startRelayNode(config, logger, { decorateBus: crashAfterAck })
      : await startProjectorNode(config, logger, { decorateSql: crashInBatch });
  return { service, logger, graceMs: config.SHUTDOWN_GRACE_MS };
});
