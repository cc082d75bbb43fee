import type { Mailer, Sql } from '@primetrade/platform';
import type { ProjectorLogger } from '../logging.js';
import type { ProjectorNotifications } from '../projector.js';
import { createDueSoonScanner } from './dueSoon.js';
import { createMailOutbox } from './mailOutbox.js';
import type { NewNotification } from './notifications.projection.js';

export interface NotificationServicesOptions {
  readonly sql: Sql;
  readonly logger: ProjectorLogger;
  /** Null when SMTP is not configured: no mail is queued. */
  readonly mailer: Mailer | null;
  /** Pushes to the users' rooms. */
  readonly push: (notifications: readonly NewNotification[]) => void | Promise<void>;
  readonly clock?: () => Date;
  readonly dueSoonIntervalMs?: number;
}

export interface NotificationServices {
  /** Pass as `createProjector({ notifications })`. */
  readonly projector: ProjectorNotifications;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Everything around the stored notifications that runs beside the projector: the push after each
 * commit, the e-mail outbox worker (when SMTP is configured) and the periodic due-soon scan.
 */
export function createNotificationServices(options: NotificationServicesOptions): NotificationServices {
  const { sql, logger, mailer } = options;
  const clock = options.clock ?? (() => new Date());
  const outbox = mailer ? createMailOutbox({ sql, mailer, clock, logger }) : null;
  const publish = async (notifications: readonly NewNotification[]) => {
    outbox?.wake();
    await options.push(notifications);
  };
  const scanner = createDueSoonScanner({
    sql,
    clock,
    mail: outbox !== null,
    publish,
    logger,
    ...(options.dueSoonIntervalMs ? { intervalMs: options.dueSoonIntervalMs } : {}),
  });
  return {
    projector: { mail: outbox !== null, publish },
    start() {
      outbox?.start();
      scanner.start();
    },
    async stop() {
      await scanner.stop();
      await outbox?.stop();
      await mailer?.close();
    },
  };
}
