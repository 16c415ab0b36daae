import type { ConnectionOptions } from 'node:tls';
import { addressOf, buildMime, type MailMessage } from './mime-message.js';
import { SmtpError, SmtpSession } from './smtp-session.js';

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS whenever the server offers it. */
  readonly secure: boolean;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  /** Extra TLS options (a private CA, say). Certificates are verified by default. */
  readonly tls?: ConnectionOptions;
  readonly timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

async function authenticate(session: SmtpSession, ehlo: readonly string[], settings: SmtpSettings): Promise<void> {
  const { username = '', password = '' } = settings;
  // RFC 4954 §4: credentials go over TLS only (a loopback relay is the exception).
  if (!session.encrypted && !LOOPBACK.has(settings.host)) throw new SmtpError('refusing to send SMTP credentials without TLS');
  const mechanisms = ehlo.find((l) => /^AUTH[ =]/i.test(l))?.slice(5).toUpperCase().split(/\s+/) ?? [];
  if (mechanisms.includes('PLAIN') || !mechanisms.includes('LOGIN')) {
    // RFC 4616: authzid NUL authcid NUL passwd.
    await session.command(`AUTH PLAIN ${Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64')}`, 235);
    return;
  }
  await session.command('AUTH LOGIN', 334);
  await session.command(Buffer.from(username, 'utf8').toString('base64'), 334);
  await session.command(Buffer.from(password, 'utf8').toString('base64'), 235);
}

/** Sends one message per connection: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT (RFC 5321). */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const tls = settings.tls ?? {};
  const timeoutMs = settings.timeoutMs ?? 15_000;
  return {
    async send(message) {
      const data = buildMime(settings.from, message); // refuses header injection before connecting
      const session = await SmtpSession.open(settings.host, settings.port, settings.secure, tls, timeoutMs);
      try {
        await session.expect(220);
        let ehlo = (await session.command('EHLO pgdir', 250)).lines;
        if (!session.encrypted && ehlo.some((l) => /^STARTTLS\b/i.test(l))) {
          await session.command('STARTTLS', 220);
          await session.upgrade(settings.host, tls);
          ehlo = (await session.command('EHLO pgdir', 250)).lines; // RFC 3207 §4.2: start over
        }
        if (settings.username !== undefined) await authenticate(session, ehlo, settings);
        await session.command(`MAIL FROM:<${addressOf(settings.from)}>`, 250);
        await session.command(`RCPT TO:<${addressOf(message.to)}>`, [250, 251]);
        await session.command('DATA', 354);
        await session.command(`${data}\r\n.`, 250);
        await session.command('QUIT', 221).catch(() => undefined);
      } finally {
        session.close();
      }
    },
  };
}
