import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { createTransport } from 'nodemailer';
import type { SMTPTransportAuthOptions } from 'nodemailer/lib/smtp-transport';
import { defaultEhloName } from './ehlo-name.js';
import type { Mailer, MailerFactory } from '../directory/lifecycle/mailer.js';
import { SmtpError, explainSmtpFailure } from './smtp-error.js';

export { SmtpError };
export type { Mailer };

/**
 * XOAUTH2 (Microsoft 365, Google Workspace relays): either a refresh token that nodemailer trades
 * for access tokens at `tokenUrl`, or a file that something else keeps filled with a current
 * access token (read again for every mail, since such tokens live about an hour).
 */
export interface SmtpOAuth2 {
  readonly user: string;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly refreshToken?: string | undefined;
  /** Token endpoint; nodemailer's default is Google's. */
  readonly tokenUrl?: string | undefined;
  readonly accessTokenFile?: string | undefined;
}

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS whenever the server offers it. */
  readonly secure: boolean;
  /** Refuse to send unless the session is encrypted (STARTTLS is required, RFC 3207 §4). */
  readonly requireTls?: boolean | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly oauth2?: SmtpOAuth2 | undefined;
  readonly from: string;
  /** The name given in EHLO (RFC 5321 §4.1.1.1); default: defaultEhloName(). */
  readonly ehloName?: string | undefined;
  /** Extra TLS options (a private CA, say). Certificates are verified by default. */
  readonly tls?: ConnectionOptions;
  readonly timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function authOf(settings: SmtpSettings): SMTPTransportAuthOptions | undefined {
  const { oauth2 } = settings;
  if (oauth2 !== undefined) {
    if (oauth2.accessTokenFile !== undefined) return undefined; // per mail, see tokenAuth
    return { type: 'OAuth2', user: oauth2.user, clientId: oauth2.clientId, clientSecret: oauth2.clientSecret, refreshToken: oauth2.refreshToken, accessUrl: oauth2.tokenUrl };
  }
  if (settings.username === undefined) return undefined;
  return { user: settings.username, pass: settings.password ?? '' };
}

async function tokenAuth(oauth2: SmtpOAuth2 | undefined): Promise<SMTPTransportAuthOptions | undefined> {
  if (oauth2?.accessTokenFile === undefined) return undefined;
  const accessToken = (await readFile(oauth2.accessTokenFile, 'utf8')).trim();
  if (accessToken === '') throw new SmtpError(`the SMTP access token file ${oauth2.accessTokenFile} is empty`);
  return { type: 'OAuth2', user: oauth2.user, accessToken };
}

const noBreaks = (value: string, field: string): string => {
  if (/[\r\n]/.test(value)) throw new SmtpError(`the mail ${field} must not contain line breaks`);
  return value;
};

/**
 * Sends each message on its own connection through nodemailer: EHLO, STARTTLS, AUTH (PLAIN,
 * LOGIN, CRAM-MD5 or XOAUTH2, whichever the server offers first), MAIL, RCPT, DATA (RFC 5321).
 * Sender names become RFC 2047 encoded words and internationalised domains punycode (RFC 5890),
 * or UTF-8 with SMTPUTF8 (RFC 6531) when the address needs it and the server offers it.
 */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const timeoutMs = settings.timeoutMs ?? 15_000;
  const auth = authOf(settings);
  const credentials = auth !== undefined || settings.oauth2 !== undefined;
  // RFC 4954 §4: credentials go over TLS only (a loopback relay is the exception).
  const tlsForCredentials = credentials && !settings.secure && !LOOPBACK.has(settings.host);
  const requireTls = settings.requireTls === true || tlsForCredentials;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: requireTls && !settings.secure,
    name: settings.ehloName ?? defaultEhloName(),
    tls: { ...settings.tls }, // SNI: nodemailer names the host unless it is an IP address
    auth,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const where = `${settings.host}:${settings.port}`;
  return {
    async send(message) {
      const mail = {
        from: noBreaks(settings.from, 'sender'),
        to: noBreaks(message.to, 'recipient'),
        subject: noBreaks(message.subject, 'subject'),
        text: message.text,
        html: message.html,
      };
      const perMail = await tokenAuth(settings.oauth2);
      try {
        await transport.sendMail(perMail === undefined ? mail : { ...mail, auth: perMail });
      } catch (error) {
        throw explainSmtpFailure(error, where, settings.requireTls === true ? 'smtp.require_tls is set' : tlsForCredentials ? 'credentials are never sent without TLS' : undefined);
      }
    },
  };
}

/** The directory's MailerFactory: a server stored through the API, named in EHLO by its public URL. */
export const mailerForStoredServer: MailerFactory = (server) =>
  createSmtpMailer({ host: server.host, port: server.port, secure: server.secure, username: server.username, password: server.password, from: server.from, ehloName: defaultEhloName(server.publicUrl) });
