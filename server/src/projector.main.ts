import { createLogger, loadConfig, runService, startTelemetry } from '@primetrade/platform';
import { rebuildClusterReadModels, startProjectorNode, startRelayNode } from './projectorNodes.js';
import { startSearchNode } from './searchNode.js';

/** `node server/dist/projector.main.js relay|projector|search|rebuild` — one cluster-mode service per process (wiring only). */
runService(async () => {
  const role = process.argv[2];
  if (role !== 'relay' && role !== 'projector' && role !== 'search' && role !== 'rebuild') {
    process.stderr.write(
      'usage: node server/dist/projector.main.js relay|projector|search|rebuild   (MODE=cluster, see README "Cluster mode")\n',
    );
    process.exit(2);
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: `primetrade-${role}` });
  if (role === 'rebuild') {
    const result = await rebuildClusterReadModels(config, logger);
    process.stdout.write(
      `rebuilt ${result.events} events of ${result.boards} boards in ${(result.durationMs / 1000).toFixed(1)} s (${result.eventsPerSecond.toFixed(0)} events/s)\n`,
    );
    return null;
  }
  const telemetry = await startTelemetry(config, role, logger);
  const service =
    role === 'relay'
      ? await startRelayNode(config, logger)
      : role === 'search'
        ? await startSearchNode(config, logger)
        : await startProjectorNode(config, logger);
  return { service, logger, graceMs: config.SHUTDOWN_GRACE_MS, telemetry };
});
