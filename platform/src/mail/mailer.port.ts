/** Outgoing e-mail (issue 5: notifications by mail). Plain text only. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Resolves once the server accepted the message; rejects when it did not (the caller retries). */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** The in-process mailer: keeps what it was given (tests, and a place to read mail in development). */
export function createMemoryMailer(): Mailer & { readonly sent: readonly MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    send(message) {
      sent.push(message);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
