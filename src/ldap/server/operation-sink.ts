import type { ResponseSink } from './ldap-handler.js';
import type { Operation } from './operation-scheduler.js';
import type { SocketOutput } from './socket-output.js';

/**
 * The response sink of one operation: the connection's output, silenced once the operation is
 * abandoned (RFC 4511 §4.11). A class, so an operation costs one small object, not three closures.
 */
export class OperationSink implements ResponseSink {
  constructor(
    private readonly op: Operation,
    private readonly output: SocketOutput,
  ) {}

  send(pdu: Buffer): boolean {
    return !this.op.abandoned && this.output.write(pdu);
  }

  drained(): Promise<void> {
    return this.output.drained();
  }

  get closed(): boolean {
    return this.op.abandoned || this.output.closed;
  }
}
