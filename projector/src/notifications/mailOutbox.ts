import type { Mailer, MailMessage, Sql } from '@primetrade/platform';
import { silentLogger, type ProjectorLogger } from '../logging.js';

/**
 * The e-mail outbox worker (issue 5): sends one short plain-text mail per queued notification,
 * outside the projector's transactions, so a slow or absent SMTP server never holds up the read
 * models. A row is claimed (its next attempt pushed out by `claimMs`) before sending, so two workers
 * do not send it at once and a worker that dies mid-send leaves it to be retried: at least once.
 * Failures back off exponentially; after `maxAttempts` the row is marked failed. Logs carry ids and
 * error codes only: never an address, a body or the SMTP URL.
 */
export interface MailOutboxOptions {
  readonly sql: Sql;
  readonly mailer: Mailer;
  readonly clock?: () => Date;
  readonly logger?: ProjectorLogger;
  /** How often to look for due mails when nobody wakes the worker. Default 5 s. */
  readonly pollMs?: number;
  /** First retry delay; doubles per attempt, capped at an hour. Default 30 s. */
  readonly retryBaseMs?: number;
  /** Attempts before giving up. Default 8. */
  readonly maxAttempts?: number;
  /** How long a claimed mail stays reserved for its sender. Default 60 s. */
  readonly claimMs?: number;
}

export interface MailOutbox {
  start(): void;
  /** New mail was queued: send soon instead of at the next poll. */
  wake(): void;
  /** Sends everything due now; returns how many were sent (tests, and what the timer runs). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

interface DueMail {
  notification_id: string;
  attempts: number;
  email: string | null;
  recipient_name: string | null;
  disabled: boolean | null;
  actor_name: string | null;
  board_name: string | null;
  summary: string;
  kind: string;
}

const batchSize = 20;
const hourMs = 3_600_000;

export function createMailOutbox(options: MailOutboxOptions): MailOutbox {
  const { sql, mailer } = options;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const claimMs = options.claimMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  async function claim(): Promise<DueMail[]> {
    const now = clock();
    return sql.tx(async (tx) => {
      const claimed = await tx.query<{ notification_id: string; attempts: number }>(
        `UPDATE notification_mails m SET attempts = m.attempts + 1, next_attempt_at = $2
         FROM (SELECT notification_id FROM notification_mails
               WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
               ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
         WHERE m.notification_id = due.notification_id
         RETURNING m.notification_id, m.attempts`,
        [now.toISOString(), new Date(now.getTime() + claimMs).toISOString(), batchSize],
      );
      if (claimed.length === 0) return [];
      const rows = await tx.query<Omit<DueMail, 'attempts'>>(
        `SELECT n.id AS notification_id, n.kind, n.summary, u.email, u.name AS recipient_name, u.disabled,
                a.name AS actor_name, b.name AS board_name
         FROM notifications n LEFT JOIN users u ON u.id = n.user_id LEFT JOIN users a ON a.id = n.actor_id
         LEFT JOIN boards b ON b.id = n.board_id
         WHERE n.id = ANY ($1::uuid[])`,
        [claimed.map((row) => row.notification_id)],
      );
      const attempts = new Map(claimed.map((row) => [row.notification_id, Number(row.attempts)]));
      return rows.map((row) => ({ ...row, attempts: attempts.get(row.notification_id) ?? 1 }));
    });
  }

  async function record(mail: DueMail, error: unknown): Promise<void> {
    const now = clock();
    if (error === null) {
      await sql.query('UPDATE notification_mails SET sent_at = $2, last_error = NULL WHERE notification_id = $1', [
        mail.notification_id,
        now.toISOString(),
      ]);
      return;
    }
    const reason = errorCode(error);
    const giveUp = mail.attempts >= maxAttempts || mail.email === null || mail.disabled === true;
    const next = new Date(now.getTime() + Math.min(hourMs, retryBaseMs * 2 ** (mail.attempts - 1)));
    await sql.query(
      `UPDATE notification_mails SET last_error = $2, failed_at = CASE WHEN $3::boolean THEN $4::timestamptz END, next_attempt_at = $5
       WHERE notification_id = $1`,
      [mail.notification_id, reason, giveUp, now.toISOString(), next.toISOString()],
    );
    logger.warn(
      { notificationId: mail.notification_id, attempts: mail.attempts, reason, gaveUp: giveUp },
      'notification e-mail not sent',
    );
  }

  async function sendOne(mail: DueMail): Promise<boolean> {
    try {
      if (mail.email === null || mail.disabled === true)
        throw Object.assign(new Error('no active recipient'), { code: 'NO_RECIPIENT' });
      await mailer.send(messageOf(mail, mail.email));
      await record(mail, null);
      return true;
    } catch (error) {
      await record(mail, error);
      return false;
    }
  }

  async function drainAll(): Promise<number> {
    let sent = 0;
    for (;;) {
      const due = await claim();
      for (const mail of due) if (await sendOne(mail)) sent += 1;
      if (due.length < batchSize) return sent;
    }
  }

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = drainAll().finally(() => {
      running = null;
      if (again) {
        again = false;
        tick();
      }
    });
    return running;
  }

  function tick(): void {
    if (stopped) return;
    drain().catch((error: unknown) =>
      logger.warn({ reason: errorCode(error) }, 'mail outbox pass failed; the next one retries'),
    );
  }

  return {
    start() {
      if (timer) return;
      stopped = false;
      timer = setInterval(tick, options.pollMs ?? 5_000);
      timer.unref();
      tick();
    },
    wake: tick,
    drain,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}

/** A code for logs and the outbox row: never the server's text, which may quote an address. */
function errorCode(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  return [typeof code === 'string' ? code : 'ERROR', typeof responseCode === 'number' ? String(responseCode) : '']
    .filter(Boolean)
    .join(' ');
}

/** The mail: a subject line and a few lines of text. */
export function messageOf(
  mail: Pick<DueMail, 'kind' | 'summary' | 'actor_name' | 'board_name' | 'recipient_name'>,
  to: string,
): MailMessage {
  const sentence =
    mail.kind === 'due_soon' || mail.actor_name === null
      ? capitalised(mail.summary)
      : `${mail.actor_name} ${mail.summary}`;
  const board = mail.board_name === null ? '' : ` (board “${mail.board_name}”)`;
  return {
    to,
    subject: `[PrimeTrade] ${sentence}`,
    text: [
      `Hello ${mail.recipient_name ?? ''},`.replace(' ,', ','),
      '',
      `${sentence}${board}.`,
      '',
      'Open PrimeTrade to see it. You get this mail because notifications by e-mail are on for this server.',
      '',
    ].join('\n'),
  };
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
