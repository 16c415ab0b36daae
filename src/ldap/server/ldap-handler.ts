import type { RequestMessage } from '../protocol.js';

/**
 * The seam between the connection server and the directory logic: the server frames, decodes and
 * schedules requests, and hands each one to `LdapHandler.handle` with a sink for its responses.
 * The server answers Unbind, Abandon and StartTLS itself; those never reach the handler.
 */
export interface LdapHandler {
  /**
   * Handles one request. Write every response PDU (entries, then the final result) to `out`; the
   * operation counts as outstanding until the returned promise settles. `signal` aborts when the
   * operation is abandoned (RFC 4511 §4.11), the client vanishes, or the server shuts down; after
   * that, sends are dropped. A throw or rejection is answered with a result for the op (see
   * `errorResponse`) and logged; the connection stays open.
   */
  handle(msg: RequestMessage, conn: LdapConnection, out: ResponseSink, signal: OperationSignal): void | Promise<void>;
  /** Called once when the connection is gone, to free per-connection state (e.g. paged cursors). */
  closed?(conn: LdapConnection): void;
}

/**
 * The part of an AbortSignal a handler uses, made by the server without an EventTarget per
 * operation (an AbortSignal fits it too). `abort` fires once; a listener added later is not called.
 */
export interface OperationSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface LdapConnection {
  /** Process-unique, increasing; for logs and for binding per-connection state. */
  readonly id: number;
  /** Client address, IPv4-mapped IPv6 reported as plain IPv4. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True once the connection is encrypted (ldaps:// or after StartTLS). */
  readonly secure: boolean;
  /** The listener URL the connection arrived on, e.g. `ldap://127.0.0.1:3389`. */
  readonly listenerUrl: string;
  /** True when the server has a plain ldap:// listener (rootDSE advertises StartTLS then). */
  readonly plainListenerExists: boolean;
  /** The handler's per-connection state (e.g. the bound identity); the server never reads it. */
  readonly session: Record<string, unknown>;
}

export interface ResponseSink {
  /**
   * Queues one encoded LDAPMessage; sends made in the same tick leave in one socket write. Returns
   * false when the socket wants draining (await `drained()` before sending much more) or when the
   * output is closed.
   */
  send(pdu: Buffer): boolean;
  /** Resolves when the socket can take more, or at once when the output is closed. */
  drained(): Promise<void>;
  /** True when nothing more will be delivered: client gone, op abandoned, or connection closing. */
  readonly closed: boolean;
}

/** The subset of pino the server uses. */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
