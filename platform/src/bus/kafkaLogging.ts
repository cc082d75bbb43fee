import kafkajs from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

const { logLevel } = kafkajs;

/**
 * kafkajs logs through our pino logger: warnings and errors only (its info level narrates every
 * rebalance). Its per-request "Response …" errors (topic exists, group rebalancing, coordinator
 * moving) are retried by kafkajs itself and go to debug; a failure that matters reaches us as a
 * rejected call or a consumer crash, which the callers log.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      if (message.startsWith('Response ')) child.debug(extra, message);
      else if (level === logLevel.ERROR) child.error(extra, message);
      else if (level === logLevel.WARN) child.warn(extra, message);
    };
}
