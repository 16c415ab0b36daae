/** A mail that could not be sent; the message says why in words an operator can act on. */
export class SmtpError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SmtpError';
  }
}

interface NodemailerError {
  readonly message?: string;
  readonly code?: string;
  readonly command?: string;
}

/**
 * Rewords nodemailer's failures where the cause is a policy of ours: a refused STARTTLS while TLS
 * is required (`why`) must say that the mail was not sent and why, not only "Error upgrading
 * connection". Everything else keeps nodemailer's text (it carries the server's reply).
 */
export function explainSmtpFailure(error: unknown, where: string, why: string | undefined): SmtpError {
  if (error instanceof SmtpError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const detail = e.message ?? String(error);
  if (why !== undefined && e.code === 'ETLS' && e.command === 'STARTTLS' && !/^Error initiating TLS/.test(detail)) {
    return new SmtpError(`the SMTP server ${where} does not offer STARTTLS and ${why} (refusing to send mail without TLS): the mail was not sent (${detail})`, { cause: error });
  }
  return new SmtpError(`SMTP ${where}: ${detail}`, { cause: error });
}
