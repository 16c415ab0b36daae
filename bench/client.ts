import { performance } from 'node:perf_hooks';
import { type TLSSocket, connect } from 'node:tls';
import { FIRST_MESSAGE_ID, LAST_MESSAGE_ID, Tag, bindOp, message, unbindMessage } from './ldap-messages.js';
import { type FinalResponse, ResponseReader } from './response-reader.js';
import type { Target } from './target.js';

/**
 * One LDAPS connection with at most one outstanding request (the load generator is closed-loop),
 * delivering each final response with the number of entries that preceded it and its latency.
 */
export class Client {
  private nextId = FIRST_MESSAGE_ID;
  private entries = 0;
  private sentAt = 0;
  private pending: ((r: Reply) => void) | undefined;
  private failure: Error | undefined;
  private readonly reader = new ResponseReader(
    () => void this.entries++,
    (r) => this.onFinal(r),
  );

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  static open(target: Target): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port, ca: target.ca, servername: 'localhost' });
      socket.setNoDelay(true);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        resolve(new Client(socket));
      });
      socket.once('error', reject);
    });
  }

  get closed(): Error | undefined {
    return this.failure;
  }

  /** Sends the request built for the next message ID and resolves with its final response. */
  send(build: (messageId: number) => Buffer): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId = id === LAST_MESSAGE_ID ? FIRST_MESSAGE_ID : id + 1;
    return new Promise((resolve) => {
      this.pending = resolve;
      this.entries = 0;
      this.sentAt = performance.now();
      this.socket.write(build(id));
    });
  }

  async bind(dn: string, password: string): Promise<void> {
    const op = bindOp(dn, password);
    const reply = await this.send((id) => message(id, op));
    if (reply.error) throw reply.error;
    if (reply.response.resultCode !== 0) throw new Error(`bind as ${dn} failed with result code ${reply.response.resultCode}`);
  }

  /** Drops the connection at once; a request in flight resolves with an error. */
  abort(): void {
    this.fail(new Error('aborted by the load generator'));
    this.socket.destroy();
  }

  close(): void {
    if (!this.failure) this.socket.end(unbindMessage(this.nextId));
    this.failure ??= new Error('closed');
    this.socket.destroySoon();
  }

  private onFinal(response: FinalResponse): void {
    // An unsolicited notice (RFC 4511 §4.4.1, message ID 0) ends the connection, not the request.
    if (response.tag === Tag.extendedResponse && response.messageId === 0) {
      this.fail(new Error(`notice of disconnection, result code ${response.resultCode}`));
      return;
    }
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.({ response, entries: this.entries, latencyMs: performance.now() - this.sentAt, endedAt: performance.now() });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.({ response: { tag: -1, messageId: -1, resultCode: -1 }, entries: this.entries, latencyMs: 0, endedAt: performance.now(), error: err });
  }
}

export interface Reply {
  readonly response: FinalResponse;
  readonly entries: number;
  readonly latencyMs: number;
  /** performance.now() when the final response arrived. */
  readonly endedAt: number;
  /** Set when the connection failed instead of answering. */
  readonly error?: Error;
}
