import closeWithGrace from 'close-with-grace';
import { ConfigError, createLogger, loadConfig } from '@primetrade/platform';
import { startCommandApiNode } from './clusterNode.js';
import { startEmbedded } from './embedded.js';

/** Entry point: only wiring (STYLE §12). Mode is chosen once, here. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'primetrade' });
  const system = config.MODE === 'cluster' ? await startCommandApiNode(config, logger) : await startEmbedded({ config, logger });
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await system.close();
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
