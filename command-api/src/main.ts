import { createLogger, loadConfig, runService, startTelemetry } from '@primetrade/platform';
import { startCommandApiNode } from './clusterNode.js';
import { startEmbedded } from './embedded.js';

/** Entry point: only wiring (STYLE §12). Mode is chosen once, here. */
runService(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'primetrade' });
  const telemetry = await startTelemetry(config, config.MODE === 'cluster' ? 'command-api' : 'embedded', logger);
  const service = config.MODE === 'cluster' ? await startCommandApiNode(config, logger) : await startEmbedded({ config, logger });
  return { service, logger, graceMs: config.SHUTDOWN_GRACE_MS, telemetry };
});
