import kafkajs from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

const { logLevel } = kafkajs;

/** kafkajs logs through our pino logger: warnings and errors only (its info level narrates every rebalance). */
export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => ({ level, log }) => {
    const { message, ...extra } = log;
    if (level === logLevel.ERROR) child.error(extra, message);
    else if (level === logLevel.WARN) child.warn(extra, message);
  };
}
