/**
 * The port through which the use cases send mail (invites, resets, 2FA notices, the test mail).
 * Declared here so that directory/ never imports the mail adapter: mail/smtp-mailer.ts implements
 * it over SMTP, and app/ hands in the mailer of the YAML `smtp:` and the factory for a server an
 * admin stores through the API.
 */

/**
 * A mail pgdir sends: one recipient, a subject and the same text as plain text and HTML. The
 * adapter turns it into a multipart/alternative MIME message (RFC 2046 §5.1.4), with RFC 2047
 * encoded words in the headers where they are not plain ASCII.
 */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** An SMTP server stored through the API (`PUT /api/v1/settings/smtp`), its password opened. */
export interface StoredSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS whenever the server offers it. */
  readonly secure: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly from: string;
  /** The name this directory is reached by; the adapter gives its host in EHLO. */
  readonly publicUrl: string | null;
}

/** Makes the mailer for a stored server (mail/smtp-mailer.ts: `mailerForStoredServer`). */
export type MailerFactory = (server: StoredSmtpServer) => Mailer;
