import type { Sql } from '@primetrade/platform';
import { silentLogger, type ProjectorLogger } from '../logging.js';
import { insertNotifications, type NewNotification, type NotifyOptions } from './notifications.projection.js';

const dayMs = 24 * 3600 * 1000;

/**
 * `due_soon` (issue 5): assignees of open, unarchived tasks due within the next 24 hours, on a
 * board that is not archived, who are still members. Once per task, assignee and due date (a
 * unique key): a later scan repeats nothing, a changed due date warns again when it comes near.
 * Driven by the clock, not by events, so a rebuild never produces any.
 */
export async function notifyDueSoon(sql: Sql, now: Date, options: NotifyOptions): Promise<NewNotification[]> {
  return sql.tx(async (tx) => {
    const due = await tx.query<{
      task_id: string;
      board_id: string;
      title: string;
      due_date: string | Date;
      user_id: string;
    }>(
      `SELECT t.id AS task_id, t.board_id, t.title, t.due_date, a.user_id
       FROM tasks t
       CROSS JOIN LATERAL unnest(t.assignee_ids) AS a (user_id)
       JOIN boards b ON b.id = t.board_id AND NOT b.archived
       JOIN board_members m ON m.board_id = t.board_id AND m.user_id = a.user_id
       JOIN users u ON u.id = a.user_id AND NOT u.disabled
       WHERE t.status = 'open' AND NOT t.archived AND t.due_date > $1 AND t.due_date <= $2
         AND NOT EXISTS (SELECT 1 FROM notifications n
                         WHERE n.user_id = a.user_id AND n.task_id = t.id AND n.kind = 'due_soon' AND n.due_date = t.due_date)`,
      [now.toISOString(), new Date(now.getTime() + dayMs).toISOString()],
    );
    return insertNotifications(
      tx,
      due.map((row) => ({
        userId: row.user_id,
        kind: 'due_soon' as const,
        boardId: row.board_id,
        taskId: row.task_id,
        eventId: null,
        correlationId: null,
        actorId: null,
        dueDate: new Date(row.due_date).toISOString(),
        taskTitle: row.title,
        createdAt: now.toISOString(),
      })),
      options,
    );
  });
}

export interface DueSoonScannerOptions extends NotifyOptions {
  readonly sql: Sql;
  readonly clock: () => Date;
  /** Default one minute. */
  readonly intervalMs?: number;
  readonly publish?: (notifications: readonly NewNotification[]) => void | Promise<void>;
  readonly logger?: ProjectorLogger;
}

export interface DueSoonScanner {
  start(): void;
  /** One scan now (tests; also what the timer runs). */
  scan(): Promise<NewNotification[]>;
  stop(): Promise<void>;
}

/** The periodic scan; a failed scan is logged and the next one tries again. */
export function createDueSoonScanner(options: DueSoonScannerOptions): DueSoonScanner {
  const logger = options.logger ?? silentLogger;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();

  const scan = async () => {
    const created = await notifyDueSoon(options.sql, options.clock(), options);
    if (created.length > 0) await options.publish?.(created);
    return created;
  };
  const tick = () => {
    running = scan().catch((error: unknown) =>
      logger.warn({ err: error }, 'due-soon scan failed; the next one retries'),
    );
  };
  return {
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, options.intervalMs ?? 60_000);
      timer.unref();
    },
    scan,
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
