import { createLogger, loadConfig, runService, startTelemetry } from '@primetrade/platform';
import { rebuildClusterReadModels, startProjectorNode, startRelayNode } from './projectorNodes.js';
import { rebuildClusterSearchIndex, startSearchNode } from './searchNode.js';

/**
 * `node server/dist/projector.main.js relay|projector|search|rebuild|search-rebuild` — one cluster-mode
 * service (or one-off job) per process (wiring only).
 */
runService(async () => {
  const role = process.argv[2];
  const roles = ['relay', 'projector', 'search', 'rebuild', 'search-rebuild'];
  if (!role || !roles.includes(role)) {
    process.stderr.write(
      'usage: node server/dist/projector.main.js relay|projector|search|rebuild|search-rebuild   (MODE=cluster, see README "Cluster mode")\n',
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
  if (role === 'search-rebuild') {
    const result = await rebuildClusterSearchIndex(config, logger);
    process.stdout.write(
      `search index rebuilt: generation ${result.generation} live with ${result.boards} boards in ${(result.durationMs / 1000).toFixed(1)} s\n`,
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
