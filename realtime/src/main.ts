import closeWithGrace from 'close-with-grace';
import { ConfigError, createLogger, loadConfig } from '@primetrade/platform';
import { startRealtimeNode } from './clusterNode.js';

/** `node realtime/dist/main.js` — one realtime node of a cluster (MODE=cluster); wiring only. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.MODE !== 'cluster') {
    process.stderr.write('The realtime node runs in MODE=cluster only; embedded mode serves Socket.IO from `npm start`.\n');
    process.exit(2);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'primetrade-realtime' });
  const node = await startRealtimeNode(config, logger);
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
