import nodemailer from 'nodemailer';
import type { Mailer } from './mailer.port.js';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…` (credentials optional). */
  readonly url: string;
  /** The From header, e.g. `PrimeTrade <no-reply@example.com>`. */
  readonly from: string;
  /** Connection, greeting and socket timeouts; default 10 s. A slow server fails the send, which is retried later. */
  readonly timeoutMs?: number;
}

/**
 * SMTP through nodemailer. One connection per message (no pool): sends are rare and a pooled
 * connection that went stale would only fail the next one. Nodemailer's own logger stays off, so
 * addresses and credentials never reach the logs.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    logger: false,
    debug: false,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
