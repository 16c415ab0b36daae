import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** One SMTP reply (RFC 5321 §4.2): the code and the text of every line. */
export interface SmtpReply {
  readonly code: number;
  readonly lines: readonly string[];
}

export class SmtpError extends Error {
  constructor(message: string, readonly reply?: SmtpReply) {
    super(message);
    this.name = 'SmtpError';
  }
}

/**
 * A client connection that reads replies line by line (multi-line replies use `NNN-`, the last
 * line `NNN `) and can switch to TLS in place for STARTTLS (RFC 3207).
 */
export class SmtpSession {
  #socket: Socket | TLSSocket;
  #buffer = '';
  #replies: SmtpReply[] = [];
  #pending: string[] = [];
  #waiter: (() => void) | undefined;
  #failure: Error | undefined;
  readonly #onData = (chunk: Buffer) => this.#receive(chunk.toString('latin1'));
  readonly #onError = (error: Error) => this.#fail(error);
  readonly #onClose = () => this.#fail(new SmtpError('the SMTP server closed the connection'));

  private constructor(socket: Socket | TLSSocket, readonly timeoutMs: number) {
    this.#socket = socket;
    this.#attach(socket);
  }

  static async open(host: string, port: number, secure: boolean, tls: ConnectionOptions, timeoutMs: number): Promise<SmtpSession> {
    const socket = secure ? tlsConnect({ host, port, servername: host, ...tls }) : netConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SmtpError(`could not connect to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => (clearTimeout(timer), resolve()));
      socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    return new SmtpSession(socket, timeoutMs);
  }

  get encrypted(): boolean {
    return (this.#socket as TLSSocket).encrypted === true;
  }

  /** Sends one command line (or the DATA body) and waits for a reply with one of `expected`. */
  async command(line: string, expected: number | readonly number[]): Promise<SmtpReply> {
    this.#socket.write(`${line}\r\n`, 'latin1');
    return this.expect(expected, line.split(' ')[0] ?? '');
  }

  async expect(expected: number | readonly number[], what = 'greeting'): Promise<SmtpReply> {
    const reply = await this.#next();
    const codes = typeof expected === 'number' ? [expected] : expected;
    if (!codes.includes(reply.code)) throw new SmtpError(`SMTP ${what} answered ${reply.code} ${reply.lines.join(' ')}`, reply);
    return reply;
  }

  /** After `STARTTLS` was accepted: the handshake on the same socket. */
  async upgrade(host: string, tls: ConnectionOptions): Promise<void> {
    const plain = this.#socket;
    plain.off('data', this.#onData).off('error', this.#onError).off('close', this.#onClose);
    const secure = tlsConnect({ socket: plain as Socket, servername: host, ...tls });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#attach(secure);
  }

  close(): void {
    this.#socket.destroy();
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', this.#onData).on('error', this.#onError).on('close', this.#onClose);
  }

  #receive(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, end).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(end + 1);
      const match = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (match === null) return this.#fail(new SmtpError(`not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`));
      this.#pending.push(match[3] ?? '');
      if (match[2] !== '-') {
        this.#replies.push({ code: Number(match[1]), lines: this.#pending });
        this.#pending = [];
      }
    }
    this.#wake();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  async #next(): Promise<SmtpReply> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply !== undefined) return reply;
      if (this.#failure !== undefined) throw this.#failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new SmtpError(`no SMTP reply within ${this.timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => (clearTimeout(timer), resolve());
      });
    }
  }
}
