import { createLogger, loadConfig, restrictNewFiles, runService, startTelemetry } from '@primetrade/platform';
import { startCommandApiNode } from './apiNode.js';
import { startEmbedded } from './embedded.js';

/** Entry point: only wiring. Mode is chosen once, here. */
runService(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'primetrade' });
  // PGlite creates its files with mode 0666: in embedded mode everything this process writes is the owner's only.
  if (config.MODE !== 'cluster') restrictNewFiles();
  const telemetry = await startTelemetry(config, config.MODE === 'cluster' ? 'command-api' : 'embedded', logger);
  const service =
    config.MODE === 'cluster' ? await startCommandApiNode(config, logger) : await startEmbedded({ config, logger });
  return { service, logger, graceMs: config.SHUTDOWN_GRACE_MS, telemetry };
});
