import type { Socket } from 'node:net';

/**
 * Response output of one connection. Everything written in one tick is corked and leaves in one
 * writev (Nagle is off, so unbatched small writes would each cost a packet); `write` reports
 * backpressure, and `drained()` waits for it to clear. A client that stops reading for longer than
 * `stallMs` while we wait is treated as gone (`onStall`), so it cannot pin an operation forever.
 */
export class SocketOutput {
  private corked = false;
  private closedFlag = false;
  private waiters: (() => void)[] = [];
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    private socket: Socket,
    private readonly stallMs: number,
    private readonly onStall: () => void,
  ) {
    this.watch(socket);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** After StartTLS: further responses go through the TLS socket. */
  replaceSocket(socket: Socket): void {
    this.socket.removeListener('drain', this.onDrain);
    this.socket = socket;
    this.corked = false;
    this.watch(socket);
  }

  write(pdu: Buffer): boolean {
    if (this.closedFlag) return false;
    this.cork();
    this.socket.write(pdu);
    return !this.socket.writableNeedDrain;
  }

  /** Sends what is corked now and resolves once the kernel has it (before a TLS upgrade). */
  flush(): Promise<void> {
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    return new Promise((resolve) => {
      if (this.closedFlag) resolve();
      else this.socket.write(Buffer.alloc(0), () => resolve());
    });
  }

  drained(): Promise<void> {
    if (this.closedFlag || !this.socket.writableNeedDrain) return Promise.resolve();
    if (this.stallTimer === undefined) {
      this.stallTimer = setTimeout(() => this.onStall(), this.stallMs);
      this.stallTimer.unref();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No more output: pending `drained()` calls resolve, later writes are dropped. */
  close(): void {
    this.closedFlag = true;
    this.release();
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    const socket = this.socket;
    socket.cork();
    process.nextTick(() => {
      if (this.socket !== socket || !this.corked) return;
      this.corked = false;
      socket.uncork();
    });
  }

  private readonly onDrain = (): void => this.release();

  private watch(socket: Socket): void {
    socket.on('drain', this.onDrain);
  }

  private release(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
