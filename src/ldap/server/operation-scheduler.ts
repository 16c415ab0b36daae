import { Oid, type RequestMessage } from '../protocol.js';
import type { OperationSignal } from './ldap-handler.js';

/**
 * One request being handled; `abandoned` silences its output (RFC 4511 §4.11). It is also the
 * handler's abort signal: a plain object, because an AbortController (an EventTarget with its own
 * listener map) per operation cost a point search about a fifth of its CPU time, GC included.
 */
export class Operation implements OperationSignal {
  abandoned = false;
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  constructor(readonly msg: RequestMessage) {}

  addEventListener(type: 'abort', listener: () => void): void {
    // Like an AbortSignal: 'abort' fires once, so a listener added afterwards is never called.
    if (type === 'abort' && !this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    const at = type === 'abort' ? (this.listeners?.indexOf(listener) ?? -1) : -1;
    if (at >= 0) this.listeners?.splice(at, 1);
  }

  /** Silences the operation and tells its handler (RFC 4511 §4.11), once. */
  abort(reason: Error): void {
    this.abandoned = true;
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (err) {
        // As an EventTarget does: a throwing listener is an uncaught exception, not ours to swallow.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }
}

export interface SchedulerHooks {
  /** Runs the operation; it stays outstanding until the returned promise settles. */
  run(op: Operation): void | Promise<void>;
  /** The handler threw or rejected. */
  failed(op: Operation, error: unknown): void;
  /** Over the per-connection cap: answer 51 busy. */
  busy(msg: RequestMessage): void;
  /** Nothing is queued or running any more (the idle clock may start). */
  idle(): void;
}

/**
 * How a request may overlap with others on one connection:
 * - `barrier` (Bind): waits until every earlier operation finished, and holds later ones until it
 *   is done (RFC 4511 §4.2.1: "all uncompleted operations MUST either complete or be abandoned").
 * - `exclusive` (StartTLS): starts at once (it refuses itself when others are outstanding, RFC 4511
 *   §4.14.1) and holds later requests until the upgrade is in place.
 * - `concurrent`: everything else, up to the per-connection cap.
 */
export type OpMode = 'barrier' | 'exclusive' | 'concurrent';

export function opMode(msg: RequestMessage): OpMode {
  if (msg.request.op === 'bind') return 'barrier';
  if (msg.request.op === 'extended' && msg.request.name === Oid.startTls) return 'exclusive';
  return 'concurrent';
}

function isPromise(value: unknown): value is Promise<void> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** Per-connection request scheduling: ordering barriers, the concurrency cap, and abandon. */
export class OperationScheduler {
  private readonly queue: RequestMessage[] = [];
  private readonly running = new Set<Operation>();
  private holder: Operation | undefined; // the running barrier/exclusive op, if any
  private pumping = false;

  constructor(
    private readonly maxOutstanding: number,
    private readonly hooks: SchedulerHooks,
  ) {}

  /** Requests queued or running. */
  get outstanding(): number {
    return this.queue.length + this.running.size;
  }

  get runningCount(): number {
    return this.running.size;
  }

  submit(msg: RequestMessage): void {
    // Requests waiting behind a barrier are capped like running ones, so a client cannot queue
    // without bound while a slow bind is in progress.
    if (this.queue.length >= this.maxOutstanding) {
      this.hooks.busy(msg);
      return;
    }
    this.queue.push(msg);
    this.pump();
  }

  /** RFC 4511 §4.11: a queued request is dropped, a running one aborted; neither gets a response. */
  abandon(messageId: number): void {
    const queued = this.queue.findIndex((m) => m.messageId === messageId && opMode(m) === 'concurrent');
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle();
      return;
    }
    for (const op of this.running) {
      // Bind and StartTLS cannot be abandoned (§4.11).
      if (op.msg.messageId === messageId && opMode(op.msg) === 'concurrent') this.abort(op, 'abandoned');
    }
  }

  /** Drops queued requests and aborts running ones (client gone, unbind, shutdown). */
  abortAll(reason: string): void {
    this.queue.length = 0;
    for (const op of this.running) this.abort(op, reason);
  }

  /** Drops queued requests only; running ones finish (graceful shutdown). */
  dropQueued(): void {
    this.queue.length = 0;
    this.settle();
  }

  private abort(op: Operation, reason: string): void {
    op.abort(new Error(reason));
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.holder === undefined) {
        const msg = this.queue[0] as RequestMessage;
        const mode = opMode(msg);
        if (mode === 'barrier' && this.running.size > 0) break;
        this.queue.shift();
        if (mode === 'concurrent' && this.running.size >= this.maxOutstanding) this.hooks.busy(msg);
        else this.start(msg, mode);
      }
    } finally {
      this.pumping = false;
    }
    this.settle();
  }

  private start(msg: RequestMessage, mode: OpMode): void {
    const op = new Operation(msg);
    this.running.add(op);
    if (mode !== 'concurrent') this.holder = op;
    let result: void | Promise<void> = undefined;
    try {
      result = this.hooks.run(op);
    } catch (e) {
      this.hooks.failed(op, e);
    }
    if (isPromise(result)) {
      result.then(
        () => this.finish(op),
        (e: unknown) => {
          this.hooks.failed(op, e);
          this.finish(op);
        },
      );
    } else {
      this.finish(op);
    }
  }

  private finish(op: Operation): void {
    this.running.delete(op);
    if (this.holder === op) this.holder = undefined;
    this.pump();
  }

  private settle(): void {
    if (!this.pumping && this.outstanding === 0) this.hooks.idle();
  }
}
