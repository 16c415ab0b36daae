import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContextOptions } from 'node:tls';
import { decodeMime } from './mime-decode.js';

/** A mail as the capture server received it, with the MIME parts decoded. */
export interface CapturedMail {
  readonly from: string;
  readonly to: string[];
  /** The DATA section as sent (dot-unstuffed), one char per byte (latin1): non-ASCII bytes show as such. */
  readonly raw: string;
  /** Headers unfolded, names lower case, values as sent (encoded words not decoded). */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly auth: string | undefined;
  readonly tls: boolean;
  /** The argument of the client's last EHLO (or HELO). */
  readonly ehlo: string;
  /** Every command line of the session up to DATA, as sent (AUTH payloads included). */
  readonly commands: readonly string[];
}

/** One connection, whether or not it delivered a mail (a refused STARTTLS ends one without). */
export interface CapturedSession {
  readonly commands: string[];
}

export interface SmtpCapture {
  readonly port: number;
  readonly mails: CapturedMail[];
  readonly sessions: CapturedSession[];
  close(): Promise<void>;
}

export interface SmtpCaptureOptions {
  /** Offer STARTTLS with this certificate; absent: the server has no STARTTLS. */
  readonly tls?: SecureContextOptions;
  /** The SASL mechanisms offered (default `PLAIN LOGIN`); PLAIN, LOGIN and XOAUTH2 are understood. */
  readonly auth?: string;
  /** Offer SMTPUTF8 (RFC 6531). */
  readonly smtputf8?: boolean;
  readonly host?: string;
}

/**
 * A loopback SMTP server for tests (RFC 5321 subset): EHLO, optional STARTTLS, AUTH PLAIN, LOGIN
 * and XOAUTH2 (any credentials accepted and recorded), MAIL, RCPT, DATA, QUIT. It records the
 * command lines and the message bytes exactly as they came over the wire.
 */
export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const sessions: CapturedSession[] = [];
  const server: Server = createServer((socket) => converse(socket, options, mails, sessions));
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, mails, sessions, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const b64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

function ehloReply(options: SmtpCaptureOptions, secure: boolean): string {
  const offers = [
    `AUTH ${options.auth ?? 'PLAIN LOGIN'}`,
    ...(options.smtputf8 === true ? ['SMTPUTF8'] : []),
    ...(options.tls !== undefined && !secure ? ['STARTTLS'] : []),
  ];
  return ['250-capture', ...offers.map((o, i) => `250${i === offers.length - 1 ? ' ' : '-'}${o}`)].join('\r\n');
}

function converse(plain: Socket, options: SmtpCaptureOptions, mails: CapturedMail[], sessions: CapturedSession[]): void {
  let socket: Socket = plain;
  let buffer = '';
  let data: string[] | undefined;
  let from = '';
  let to: string[] = [];
  let auth: string | undefined;
  let login: string[] | undefined;
  let ehlo = '';
  const session: CapturedSession = { commands: [] };
  sessions.push(session);
  const say = (line: string): void => void socket.write(`${line}\r\n`);
  const onLine = (line: string): void => {
    if (data !== undefined) {
      if (line !== '.') return void data.push(line.startsWith('..') ? line.slice(1) : line);
      const raw = data.join('\r\n');
      mails.push({ from, to, raw, ...decodeMime(raw), auth, tls: socket instanceof TLSSocket, ehlo, commands: [...session.commands] });
      data = undefined;
      to = [];
      return say('250 queued');
    }
    session.commands.push(line);
    if (login !== undefined) {
      login.push(b64(line));
      if (login.length === 1) return say('334 UGFzc3dvcmQ6');
      auth = `LOGIN ${login.join(':')}`;
      login = undefined;
      return say('235 ok');
    }
    const [verb = '', ...rest] = line.split(' ');
    switch (verb.toUpperCase()) {
      case 'EHLO':
      case 'HELO':
        ehlo = rest.join(' ');
        return say(ehloReply(options, socket instanceof TLSSocket));
      case 'STARTTLS': {
        if (options.tls === undefined || socket instanceof TLSSocket) return say('502 not implemented');
        say('220 go ahead');
        socket.removeAllListeners('data');
        const secure = new TLSSocket(socket, { isServer: true, ...options.tls });
        secure.on('error', () => undefined);
        socket = secure;
        buffer = '';
        return void secure.on('data', receive);
      }
      case 'AUTH': {
        const mechanism = rest[0]?.toUpperCase();
        if (mechanism === 'PLAIN') {
          auth = `PLAIN ${b64(rest[1] ?? '').split('\0').slice(1).join(':')}`;
          return say('235 ok');
        }
        if (mechanism === 'XOAUTH2') {
          // RFC-less but documented by Google/Microsoft: "user=" U ^A "auth=Bearer " T ^A ^A
          const fields = b64(rest[1] ?? '').split('\x01');
          auth = `XOAUTH2 ${fields[0]?.replace(/^user=/, '')}:${fields[1]?.replace(/^auth=Bearer /, '')}`;
          return say('235 ok');
        }
        login = [];
        return say('334 VXNlcm5hbWU6');
      }
      case 'MAIL':
        from = /<([^>]*)>/.exec(line)?.[1] ?? '';
        return say('250 ok');
      case 'RCPT':
        to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
        return say('250 ok');
      case 'DATA':
        data = [];
        return say('354 end with .');
      case 'RSET':
        return say('250 ok');
      case 'QUIT':
        say('221 bye');
        return void socket.end();
      default:
        return say('502 not implemented');
    }
  };
  const receive = (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      onLine(line);
    }
  };
  plain.on('data', receive);
  plain.on('error', () => undefined);
  say('220 capture ESMTP');
}
