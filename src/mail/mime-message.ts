import { randomBytes } from 'node:crypto';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const noBreaks = (value: string, field: string): string => {
  if (/[\r\n]/.test(value)) throw new Error(`the mail ${field} must not contain line breaks`);
  return value;
};

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
const headerText = (value: string): string =>
  /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;

const base64Lines = (text: string): string => (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

/** The address inside `Name <addr>`, or the value itself. */
export const addressOf = (value: string): string => /<([^<>]+)>\s*$/.exec(value)?.[1]?.trim() ?? value.trim();

/**
 * A multipart/alternative message (RFC 2046 §5.1.4) with a plain-text and an HTML part, both
 * base64 so that no line is too long and no body line can be a lone `.` (RFC 5321 §4.5.2).
 */
export function buildMime(from: string, message: MailMessage, now = new Date()): string {
  const boundary = `pgdir-${randomBytes(12).toString('hex')}`;
  const domain = addressOf(from).split('@')[1] ?? 'localhost';
  return [
    `From: ${noBreaks(from, 'sender')}`,
    `To: ${noBreaks(message.to, 'recipient')}`,
    `Subject: ${headerText(noBreaks(message.subject, 'subject'))}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.html),
    `--${boundary}--`,
  ].join('\r\n');
}
