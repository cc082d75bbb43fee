import { createLogger, loadConfig, runService, startTelemetry } from '@primetrade/platform';
import { startRealtimeNode } from './realtimeNode.js';

/** `node server/dist/realtime.main.js` — one realtime node of a cluster (MODE=cluster); wiring only. */
runService(async () => {
  const config = loadConfig();
  if (config.MODE !== 'cluster') {
    process.stderr.write(
      'The realtime node runs in MODE=cluster only; embedded mode serves Socket.IO from `npm start`.\n',
    );
    process.exit(2);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'primetrade-realtime' });
  const telemetry = await startTelemetry(config, 'realtime', logger);
  const service = await startRealtimeNode(config, logger);
  return { service, logger, graceMs: config.SHUTDOWN_GRACE_MS, telemetry };
});
