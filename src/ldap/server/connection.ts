import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { ResultCode } from '../../domain/result-code.js';
import { decodeMessage, encodeNoticeOfDisconnection, encodeResult, LdapDecodeError, type DecodeLimits } from '../codec/index.js';
import { Oid, type LdapResult, type RequestMessage } from '../protocol.js';
import { responseFor, resultFromError } from './error-response.js';
import type { LdapConnection, LdapHandler, ServerLogger } from './ldap-handler.js';
import { OperationScheduler, type Operation } from './operation-scheduler.js';
import { OperationSink } from './operation-sink.js';
import { PduFramer } from './pdu-framer.js';
import { SocketOutput } from './socket-output.js';
import { startTls } from './start-tls.js';
import type { TlsMaterial } from './tls-material.js';

export interface ConnectionLimits {
  readonly idleTimeoutMs: number;
  readonly maxPduBytes: number;
  readonly maxOutstanding: number;
  readonly maxFilterDepth?: number;
  readonly maxFilterNodes?: number;
}

/** Server-wide tallies, bumped in place (no allocation on the request path); see LdapServerStats. */
export interface ConnectionCounters {
  operations: number;
  protocolErrors: number;
  idleTimeouts: number;
  /** Requests answered 51 busy (over maxOutstanding). */
  busy: number;
  /** Searches answered 11 adminLimitExceeded (filter over maxFilterNodes/maxFilterDepth). */
  overLimit: number;
}

/** What every connection shares with its server. */
export interface ConnectionContext {
  readonly handler: LdapHandler;
  readonly logger: ServerLogger;
  readonly limits: ConnectionLimits;
  readonly tls: TlsMaterial | undefined;
  readonly counters: ConnectionCounters;
}

export interface ConnectionMeta {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listenerUrl: string;
  readonly plainListenerExists: boolean;
}

/** After we end our side, how long to keep reading (and discarding) before destroying. */
const LINGER_MS = 2000;

/**
 * One client connection: frames and decodes requests, schedules them, answers Unbind, Abandon and
 * StartTLS itself and hands everything else to the handler. Created for a socket that has already
 * passed admission (and, for ldaps://, been wrapped in TLS).
 */
export class Connection implements LdapConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listenerUrl: string;
  readonly plainListenerExists: boolean;
  readonly session: Record<string, unknown> = {};
  secure: boolean;
  socket: Socket;
  readonly output: SocketOutput;
  readonly scheduler: OperationScheduler;
  /** 'open' → 'ending' (our side finished; draining input) → 'closed' (socket gone). */
  state: 'open' | 'ending' | 'closed' = 'open';
  /** Set while StartTLS swaps sockets: any request arriving then is a protocol violation. */
  upgrading = false;
  /** Set by shutdown(): further requests are ignored. */
  private draining = false;
  private afterRunning: (() => void) | undefined;
  private readonly framer: PduFramer;
  private readonly decodeLimits: DecodeLimits;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly closeWaiters: (() => void)[] = [];

  constructor(socket: Socket, readonly ctx: ConnectionContext, meta: ConnectionMeta) {
    ({ id: this.id, remoteAddress: this.remoteAddress, remotePort: this.remotePort } = meta);
    ({ listenerUrl: this.listenerUrl, plainListenerExists: this.plainListenerExists } = meta);
    this.socket = socket;
    this.secure = socket instanceof TLSSocket;
    this.framer = new PduFramer(ctx.limits.maxPduBytes);
    this.decodeLimits = { maxDepth: ctx.limits.maxFilterDepth, maxFilterNodes: ctx.limits.maxFilterNodes };
    this.output = new SocketOutput(socket, ctx.limits.idleTimeoutMs, () => this.destroy('write stalled'));
    this.scheduler = new OperationScheduler(ctx.limits.maxOutstanding, {
      run: (op) => this.run(op),
      failed: (op, e) => this.failed(op, e),
      busy: (msg) => {
        ctx.counters.busy += 1;
        this.answer(msg, { resultCode: ResultCode.busy, diagnosticMessage: 'too many outstanding operations' });
      },
      idle: () => this.onIdle(),
    });
    this.idleTimer = setTimeout(() => this.idleExpired(), ctx.limits.idleTimeoutMs).unref();
    this.attach(socket);
  }

  /** Resolves when the socket is closed. */
  whenClosed(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Binds our listeners to `socket` (the accepted one, or the TLS socket after StartTLS). */
  attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    socket.resume();
  }

  detach(socket: Socket): void {
    socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
    socket.removeListener('drain', this.onDrain);
    socket.on('error', () => {}); // the TLS socket reports errors from now on
  }

  /** Ends our side after an optional final PDU (Notice of Disconnection); stops handling input. */
  end(finalPdu?: Buffer): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    this.scheduler.abortAll('connection closing');
    if (finalPdu !== undefined) this.output.write(finalPdu);
    this.output.close();
    clearTimeout(this.idleTimer);
    // Keep reading (and discarding) for a while: closing with unread input makes the kernel send
    // RST, which can destroy the notice we just wrote before the client reads it.
    this.socket.resume();
    this.socket.end();
    setTimeout(() => this.destroy('linger over'), LINGER_MS).unref();
  }

  destroy(reason: string): void {
    if (this.state === 'closed') return;
    this.ctx.logger.debug({ conn: this.id, reason }, 'ldap connection destroyed');
    this.socket.destroy();
  }

  /** Graceful shutdown (RFC 4511 §4.4.1): no new requests, running ones finish, then notice 52. */
  async shutdown(): Promise<void> {
    if (this.state !== 'open') return this.whenClosed();
    this.draining = true;
    this.scheduler.dropQueued();
    const notice = encodeNoticeOfDisconnection(ResultCode.unavailable, 'server shutting down');
    if (this.scheduler.runningCount === 0) this.end(notice);
    else this.afterRunning = () => this.end(notice);
    return this.whenClosed();
  }

  /** Bytes of a request received only in part. */
  get pendingInput(): number {
    return this.framer.buffered;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state !== 'open') return;
    let pdus: Buffer[];
    try {
      pdus = this.framer.push(chunk);
    } catch (e) {
      this.protocolError(e);
      return;
    }
    for (const pdu of pdus) {
      if (this.state !== 'open') return;
      this.dispatch(pdu);
    }
    if (this.output.needsDrain) this.socket.pause(); // resumed on 'drain': bounded buffering
  };

  private dispatch(pdu: Buffer): void {
    let msg: RequestMessage;
    try {
      msg = decodeMessage(pdu, this.decodeLimits);
    } catch (e) {
      if (e instanceof LdapDecodeError && e.limitExceeded && e.messageId !== undefined && !this.upgrading) this.overLimit(e, e.messageId);
      else this.protocolError(e);
      return;
    }
    if (this.draining) return;
    if (this.upgrading) {
      this.protocolError(new Error('request sent before the StartTLS response'));
      return;
    }
    this.ctx.counters.operations += 1;
    const { request } = msg;
    if (request.op === 'unbind') this.end(); // RFC 4511 §4.3: no response, close
    else if (request.op === 'abandon') this.scheduler.abandon(request.idToAbandon);
    else this.scheduler.submit(msg);
  }

  private run(op: Operation): void | Promise<void> {
    const { request } = op.msg;
    if (request.op === 'extended' && request.name === Oid.startTls) return startTls(this, op);
    return this.ctx.handler.handle(op.msg, this, new OperationSink(op, this.output), op);
  }

  /** Writes the final response of `msg` with `result` (nothing for an abandoned op). */
  answer(msg: RequestMessage, result: LdapResult): void {
    const pdu = responseFor(msg, result);
    if (pdu !== undefined) this.output.write(pdu);
  }

  private failed(op: Operation, error: unknown): void {
    if (op.abandoned || this.state !== 'open') return;
    this.ctx.logger.error({ conn: this.id, messageId: op.msg.messageId, op: op.msg.request.op, err: error },
      'ldap handler failed');
    this.answer(op.msg, resultFromError(error));
  }

  /**
   * A well-formed search over a filter limit: answered SearchResultDone adminLimitExceeded (11,
   * RFC 4511 §4.1.9) without running it; the connection stays open (only filters have limits).
   */
  private overLimit(error: LdapDecodeError, messageId: number): void {
    if (this.draining) return;
    this.ctx.counters.operations += 1;
    this.ctx.counters.overLimit += 1;
    this.ctx.logger.debug({ conn: this.id, remoteAddress: this.remoteAddress, message: error.message }, 'ldap search over a filter limit');
    this.output.write(encodeResult(messageId, 'searchDone', { resultCode: ResultCode.adminLimitExceeded, diagnosticMessage: error.message }));
  }

  /** RFC 4511 §4.1.1 / §4.4.1: Notice of Disconnection with protocolError, then close. */
  private protocolError(error: unknown): void {
    this.ctx.counters.protocolErrors += 1;
    const message = error instanceof Error ? error.message : 'malformed request';
    this.ctx.logger.debug({ conn: this.id, remoteAddress: this.remoteAddress, message }, 'ldap protocol error');
    this.end(encodeNoticeOfDisconnection(ResultCode.protocolError, message));
  }

  private onIdle(): void {
    if (this.afterRunning !== undefined) this.afterRunning();
    else this.idleTimer.refresh();
  }

  /**
   * The idle timer stays armed; firing while requests are outstanding does nothing, and becoming
   * idle restarts the full period, so only time without outstanding requests counts.
   */
  private idleExpired(): void {
    if (this.state !== 'open' || this.scheduler.outstanding > 0) return;
    this.ctx.counters.idleTimeouts += 1;
    this.ctx.logger.debug({ conn: this.id, remoteAddress: this.remoteAddress }, 'ldap idle timeout');
    this.end();
  }

  private readonly onDrain = (): void => {
    if (this.state === 'open' && !this.upgrading) this.socket.resume();
  };

  private readonly onError = (error: Error): void => {
    this.ctx.logger.debug({ conn: this.id, err: error.message }, 'ldap socket error');
  };

  private readonly onClose = (): void => {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.idleTimer);
    this.output.close();
    this.scheduler.abortAll('client gone');
    try {
      this.ctx.handler.closed?.(this);
    } catch (e) {
      this.ctx.logger.error({ conn: this.id, err: e }, 'ldap handler closed() failed');
    }
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  };
}
