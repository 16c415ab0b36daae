/**
 * A mail pgdir sends: one recipient, a subject and the same text as plain text and HTML. The
 * mailer (nodemailer) turns it into a multipart/alternative MIME message (RFC 2046 §5.1.4), with
 * RFC 2047 encoded words in the headers where they are not plain ASCII.
 */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}
