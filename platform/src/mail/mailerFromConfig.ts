import type { Config } from '../config/config.js';
import type { Mailer } from './mailer.port.js';
import { createSmtpMailer } from './smtpMailer.js';

/** The SMTP mailer when `SMTP_URL` is set (config guarantees `MAIL_FROM` then), otherwise null: no e-mail. */
export function mailerFromConfig(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>): Mailer | null {
  if (!config.SMTP_URL || !config.MAIL_FROM) return null;
  return createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });
}
