import { TLSSocket } from 'node:tls';
import { ResultCode } from '../../domain/result-code.js';
import { encodeExtendedResponse } from '../codec/index.js';
import { Oid } from '../protocol.js';
import type { Socket } from 'node:net';
import type { Operation } from './operation-scheduler.js';
import type { SocketOutput } from './socket-output.js';
import type { TlsMaterial } from './tls-material.js';

/** The part of a Connection StartTLS drives (declared here so connection.ts → start-tls.ts stays one-way). */
export interface UpgradableConnection {
  secure: boolean;
  socket: Socket;
  upgrading: boolean;
  readonly state: 'open' | 'ending' | 'closed';
  readonly output: SocketOutput;
  readonly ctx: { readonly tls: TlsMaterial | undefined };
  readonly scheduler: { readonly runningCount: number };
  readonly pendingInput: number;
  attach(socket: Socket): void;
  detach(socket: Socket): void;
}

/**
 * StartTLS (RFC 4511 §4.14, RFC 4513 §3): answer success in clear text, then upgrade the same TCP
 * connection in place. New handshakes take the current certificate, so a reload applies to them.
 */
export async function startTls(conn: UpgradableConnection, op: Operation): Promise<void> {
  // The response names the StartTLS OID whatever the outcome (RFC 2830 §2.2, kept by RFC 4511).
  const refuse = (resultCode: ResultCode, diagnosticMessage: string): void =>
    void conn.output.write(encodeExtendedResponse(op.msg.messageId, { resultCode, diagnosticMessage }, Oid.startTls));
  // §4.14.1: "operationsError: ... TLS is already established" (DESIGN §5: connection kept).
  if (conn.secure) return refuse(ResultCode.operationsError, 'TLS is already established');
  // §4.14.2: a server that does not support TLS by its current configuration answers protocolError.
  const material = conn.ctx.tls;
  if (material === undefined) return refuse(ResultCode.protocolError, 'StartTLS is not available here');
  if (conn.scheduler.runningCount > 1 || conn.pendingInput > 0) {
    return refuse(ResultCode.operationsError, 'other operations are outstanding');
  }
  const raw = conn.socket;
  conn.upgrading = true;
  raw.pause(); // the ClientHello stays in the kernel until the TLS socket reads it
  conn.output.write(encodeExtendedResponse(op.msg.messageId, { resultCode: ResultCode.success }, Oid.startTls));
  await conn.output.flush();
  if (conn.state !== 'open') return;
  conn.detach(raw);
  const secure = new TLSSocket(raw, { isServer: true, secureContext: material.current() });
  conn.socket = secure;
  conn.secure = true;
  conn.output.replaceSocket(secure);
  conn.attach(secure);
  conn.upgrading = false;
}
