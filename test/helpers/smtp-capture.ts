import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContextOptions } from 'node:tls';

/** A mail as the capture server received it, with the MIME parts decoded. */
export interface CapturedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly auth: string | undefined;
  readonly tls: boolean;
}

export interface SmtpCapture {
  readonly port: number;
  readonly mails: CapturedMail[];
  close(): Promise<void>;
}

function parts(raw: string): { subject: string; text: string; html: string } {
  const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
  const decoded = subject.replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
  const part = (type: string) => {
    const m = new RegExp(`Content-Type: ${type}[^\\r\\n]*\\r\\nContent-Transfer-Encoding: base64\\r\\n\\r\\n([A-Za-z0-9+/=\\r\\n]*?)\\r\\n--`).exec(raw);
    return Buffer.from((m?.[1] ?? '').replace(/\r\n/g, ''), 'base64').toString('utf8');
  };
  return { subject: decoded, text: part('text/plain'), html: part('text/html') };
}

/**
 * A loopback SMTP server for tests (RFC 5321 subset): EHLO, optional STARTTLS, AUTH PLAIN and
 * LOGIN (any credentials accepted and recorded), MAIL, RCPT, DATA, QUIT.
 */
export async function startSmtpCapture(options: { tls?: SecureContextOptions; auth?: 'PLAIN' | 'LOGIN'; host?: string } = {}): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const server: Server = createServer((socket) => converse(socket, options, mails));
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function converse(plain: Socket, options: { tls?: SecureContextOptions; auth?: 'PLAIN' | 'LOGIN' }, mails: CapturedMail[]): void {
  let socket: Socket = plain;
  let buffer = '';
  let data: string[] | undefined;
  let from = '';
  let to: string[] = [];
  let auth: string | undefined;
  let login: string[] | undefined;
  const say = (line: string): void => void socket.write(`${line}\r\n`);
  const onLine = (line: string): void => {
    if (data !== undefined) {
      if (line !== '.') return void data.push(line.startsWith('..') ? line.slice(1) : line);
      const raw = data.join('\r\n');
      mails.push({ from, to, raw, ...parts(raw), auth, tls: socket instanceof TLSSocket });
      data = undefined;
      return say('250 queued');
    }
    if (login !== undefined) {
      login.push(Buffer.from(line, 'base64').toString('utf8'));
      if (login.length === 1) return say('334 UGFzc3dvcmQ6');
      auth = `LOGIN ${login.join(':')}`;
      login = undefined;
      return say('235 ok');
    }
    const [verb = '', ...rest] = line.split(' ');
    switch (verb.toUpperCase()) {
      case 'EHLO': {
        const offers = [`AUTH ${options.auth ?? 'PLAIN LOGIN'}`, ...(options.tls !== undefined && !(socket instanceof TLSSocket) ? ['STARTTLS'] : [])];
        return say(['250-capture', ...offers.map((o, i) => `250${i === offers.length - 1 ? ' ' : '-'}${o}`)].join('\r\n'));
      }
      case 'STARTTLS': {
        say('220 go ahead');
        socket.removeAllListeners('data');
        const secure = new TLSSocket(socket, { isServer: true, ...options.tls });
        socket = secure;
        buffer = '';
        return void secure.on('data', receive);
      }
      case 'AUTH':
        if (rest[0]?.toUpperCase() === 'PLAIN') {
          auth = `PLAIN ${Buffer.from(rest[1] ?? '', 'base64').toString('utf8').split('\0').slice(1).join(':')}`;
          return say('235 ok');
        }
        login = [];
        return say('334 VXNlcm5hbWU6');
      case 'MAIL':
        from = /<([^>]*)>/.exec(line)?.[1] ?? '';
        return say('250 ok');
      case 'RCPT':
        to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
        return say('250 ok');
      case 'DATA':
        data = [];
        return say('354 end with .');
      case 'QUIT':
        say('221 bye');
        return void socket.end();
      default:
        return say('502 not implemented');
    }
  };
  const receive = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      onLine(line);
    }
  };
  plain.on('data', receive);
  plain.on('error', () => undefined);
  to = [];
  say('220 capture ESMTP');
}
