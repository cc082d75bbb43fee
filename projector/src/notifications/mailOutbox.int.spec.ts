import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import { createSmtpMailer, decodeMail, startSmtpSink, type Sql, type SmtpSink } from '@primetrade/platform';
import { applyEnvelopes } from '../applyBatch.js';
import type { ProjectorLogger } from '../logging.js';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { readModelBackends } from '@primetrade/read-model';
import { createMailOutbox, type MailOutbox } from './mailOutbox.js';
import { projectWithNotifications } from './notifications.projection.js';

/** Every log line as text, to prove no address or server URL reaches the logs. */
function recordingLogger(): ProjectorLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (obj: object, msg?: string) => {
    const { err } = obj as { err?: unknown };
    lines.push(
      JSON.stringify({ ...obj, err: err instanceof Error ? `${err.message} ${err.stack ?? ''}` : err }) + (msg ?? ''),
    );
  };
  return { lines, debug: record, info: record, warn: record, error: record };
}

describe.each(readModelBackends('mail'))(
  'Notification e-mails through a real SMTP server, read models on $name',
  ({ open }) => {
    let sql: Sql;
    let drop: () => Promise<void>;
    let sink: SmtpSink;
    let outbox: MailOutbox;
    // Queued mails are due at the database's now(); the worker's clock runs a little ahead of it.
    let now = 0;
    const logger = recordingLogger();
    const bobEmail = `bob.${randomUUID().slice(0, 8)}@example.test`;
    const ada = randomUUID();
    const bob = randomUUID();
    const board = new BoardStream({ ownerId: ada });
    let columnId = '';

    const assignBob = async (title: string) => {
      const created = board.createTask(columnId, { title, assigneeIds: [bob], actorId: ada });
      await applyEnvelopes(sql, [created], projectWithNotifications({ mail: true }));
      return created.data.taskId;
    };
    const outboxRow = async (taskId: string) => {
      const [row] = await sql.query<{ attempts: number; sent_at: unknown; last_error: string | null }>(
        'SELECT m.attempts, m.sent_at, m.last_error FROM notification_mails m JOIN notifications n ON n.id = m.notification_id WHERE n.task_id = $1',
        [taskId],
      );
      return row;
    };

    beforeAll(async () => {
      const database = await open();
      sql = database.sql;
      drop = () => database.drop();
      sink = await startSmtpSink();
      for (const [id, name, email] of [
        [ada, 'Ada', `ada.${ada.slice(0, 8)}@example.test`],
        [bob, 'Bob', bobEmail],
      ] as const) {
        await sql.query(
          "INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, 'hash', 'user')",
          [id, email, name],
        );
      }
      const setup = [...board.create('Launch'), board.addMember(bob)];
      const column = board.addColumn('To do');
      columnId = column.data.columnId;
      await applyEnvelopes(sql, [...setup, column]);
      now = Date.now() + 5_000;
      outbox = createMailOutbox({
        sql,
        logger,
        clock: () => new Date(now),
        retryBaseMs: 60_000,
        mailer: createSmtpMailer({ url: sink.url, from: 'PrimeTrade <no-reply@example.test>', timeoutMs: 2_000 }),
      });
    });
    afterAll(async () => {
      await outbox.stop();
      await sink.close();
      await drop();
    });

    it('sends one plain-text mail per notification to its recipient, once', async () => {
      const taskId = await assignBob('Write the post');
      expect(await outbox.drain()).toBe(1);
      expect(await outbox.drain()).toBe(0);

      const mails = await sink.received();
      expect(mails).toHaveLength(1);
      expect(mails[0]?.to).toEqual([bobEmail]);
      expect(mails[0]?.from).toBe('no-reply@example.test');
      const mail = decodeMail(mails[0]?.raw ?? '');
      expect(mail.headers['content-type']).toMatch(/^text\/plain/);
      expect(mail.subject).toBe('[PrimeTrade] Ada assigned you to “Write the post”');
      expect(mail.text).toContain('Hello Bob,\n\nAda assigned you to “Write the post” (board “Launch”).');
      expect((await outboxRow(taskId))?.sent_at).not.toBeNull();
    });

    it('keeps a mail the server could not take and sends it once the server is back', async () => {
      await sink.stop();
      const taskId = await assignBob('Ship it');
      expect(await outbox.drain()).toBe(0);
      const failed = await outboxRow(taskId);
      expect([failed?.attempts, failed?.sent_at]).toEqual([1, null]);
      expect(failed?.last_error).toMatch(/^E[A-Z]+/);

      await sink.restart();
      expect(await outbox.drain()).toBe(0); // not due yet: it backs off
      now += 61_000;
      expect(await outbox.drain()).toBe(1);
      const mails = await sink.received();
      expect(mails.map((mail) => decodeMail(mail.raw).subject)).toEqual([
        '[PrimeTrade] Ada assigned you to “Write the post”',
        '[PrimeTrade] Ada assigned you to “Ship it”',
      ]);
      const sent = await outboxRow(taskId);
      expect(sent?.attempts).toBe(2);
      expect(sent?.sent_at).not.toBeNull();
    });

    it('mails once for a command whose redelivery splits its events differently', async () => {
      const taskId = await assignBob('Split');
      await outbox.drain();
      const before = (await sink.received()).length;
      const oneCommand = (event: Envelope): Envelope => ({ ...event, correlationId: `redelivered-${taskId}` });
      const command = [
        oneCommand(board.emit({ type: 'TaskTitleChanged', data: { taskId, title: 'Split again' } }, { actorId: ada })),
        oneCommand(board.emit({ type: 'TaskCompleted', data: { taskId } }, { actorId: ada })),
      ];
      const project = projectWithNotifications({ mail: true });
      await applyEnvelopes(sql, command.slice(0, 1), project);
      await applyEnvelopes(sql, command, project);

      expect(await outbox.drain()).toBe(1);
      const subjects = (await sink.received()).slice(before).map((mail) => decodeMail(mail.raw).subject);
      expect(subjects).toEqual(['[PrimeTrade] Ada renamed “Split again”']);
    });

    it('logs the failure without any address or the server URL', () => {
      expect(logger.lines.some((line) => line.includes('notification e-mail not sent'))).toBe(true);
      expect(logger.lines.join('\n')).not.toMatch(/example\.test|127\.0\.0\.1/);
    });
  },
);
