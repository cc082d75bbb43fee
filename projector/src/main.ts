import closeWithGrace from 'close-with-grace';
import { ConfigError, createLogger, loadConfig } from '@primetrade/platform';
import { rebuildClusterReadModels, startProjectorNode, startRelayNode } from './clusterNodes.js';

/** `node projector/dist/main.js relay|projector|rebuild` — one cluster-mode service per process (wiring only). */
async function main(): Promise<void> {
  const role = process.argv[2];
  if (role !== 'relay' && role !== 'projector' && role !== 'rebuild') {
    process.stderr.write('usage: node projector/dist/main.js relay|projector|rebuild   (MODE=cluster, see README "Cluster mode")\n');
    process.exit(2);
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: `primetrade-${role}` });
  if (role === 'rebuild') {
    const result = await rebuildClusterReadModels(config, logger);
    process.stdout.write(`rebuilt ${result.events} events of ${result.boards} boards in ${(result.durationMs / 1000).toFixed(1)} s (${result.eventsPerSecond.toFixed(0)} events/s)\n`);
    return;
  }
  const node = role === 'relay' ? await startRelayNode(config, logger) : await startProjectorNode(config, logger);
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await node.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
