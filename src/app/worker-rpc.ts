import type { MessagePort, Worker } from 'node:worker_threads';
import { DirectoryError, LdapError, type ErrorKind } from '../domain/errors.js';
import type { ResultCode } from '../domain/result-code.js';

/**
 * Calls between the main thread and an LDAP worker thread over one MessagePort (either way):
 * `expose('store', store)` on one side, `remote<Store>('store').getUser(id)` on the other. A
 * remote object is a Proxy, so every method of the exposed object (and of its nested objects,
 * `remote('directory').users.addUser(…)`) is callable without a list of methods to keep in step:
 * what other parts add to the store or the use cases reaches the workers without work here.
 * Arguments and results are structured-cloned; DirectoryError and LdapError keep their class and
 * codes; a Uint8Array that was a Buffer arrives as a Buffer again (top level).
 */
type Port = MessagePort | Worker;

interface CallMessage { readonly rpc: 'call'; readonly id: number; readonly target: string; readonly path: readonly string[]; readonly args: readonly unknown[] }
interface ReplyMessage { readonly rpc: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: WireError }
interface EventMessage { readonly rpc: 'event'; readonly name: string; readonly payload: unknown }
type RpcMessage = CallMessage | ReplyMessage | EventMessage;

interface WireError { name: string; message: string; kind?: ErrorKind; resultCode?: ResultCode; field?: string; matchedDN?: string }

export class RpcPeer {
  private readonly targets = new Map<string, object>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly handlers = new Map<string, (payload: unknown) => void>();
  private nextId = 1;
  private closedError: Error | undefined;

  constructor(private readonly port: Port) {
    port.on('message', (message: RpcMessage) => this.receive(message));
  }

  expose(name: string, target: object): void {
    this.targets.set(name, target);
  }

  /** `name`'s methods, called on the other side; `local` members answer here instead. */
  remote<T extends object>(name: string, local: Record<string, unknown> = {}): T {
    return this.proxy(name, [], local) as T;
  }

  call(target: string, path: readonly string[], args: readonly unknown[]): Promise<unknown> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.port.postMessage({ rpc: 'call', id, target, path, args } satisfies CallMessage);
      } catch (err) {
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  emit(name: string, payload?: unknown): void {
    if (this.closedError === undefined) this.port.postMessage({ rpc: 'event', name, payload } satisfies EventMessage);
  }

  on(name: string, handler: (payload: unknown) => void): void {
    this.handlers.set(name, handler);
  }

  /** The other side is gone: calls in flight and later ones fail with `reason`. */
  close(reason: Error): void {
    this.closedError = reason;
    for (const { reject } of this.pending.values()) reject(reason);
    this.pending.clear();
  }

  private proxy(target: string, path: readonly string[], local: Record<string, unknown>): unknown {
    const call = (...args: unknown[]): Promise<unknown> => this.call(target, path, args);
    return new Proxy(call, {
      get: (_fn, prop) => {
        if (typeof prop === 'symbol') return undefined;
        if (path.length === 0 && prop in local) return local[prop];
        if (prop === 'then') return undefined; // not a thenable: `await remote` gives the proxy
        return this.proxy(target, [...path, prop], {});
      },
    });
  }

  private receive(message: RpcMessage): void {
    if (message.rpc === 'call') void this.answer(message);
    else if (message.rpc === 'reply') this.settle(message);
    else if (message.rpc === 'event') this.handlers.get(message.name)?.(message.payload);
  }

  private async answer(message: CallMessage): Promise<void> {
    let reply: ReplyMessage;
    try {
      const value = await invoke(this.targets.get(message.target), message.target, message.path, message.args.map(asBuffer));
      reply = { rpc: 'reply', id: message.id, value };
    } catch (err) {
      reply = { rpc: 'reply', id: message.id, error: toWire(err) };
    }
    try {
      this.port.postMessage(reply);
    } catch (err) {
      this.port.postMessage({ rpc: 'reply', id: message.id, error: toWire(err) } satisfies ReplyMessage);
    }
  }

  private settle(message: ReplyMessage): void {
    const waiter = this.pending.get(message.id);
    if (waiter === undefined) return;
    this.pending.delete(message.id);
    if (message.error === undefined) waiter.resolve(asBuffer(message.value));
    else waiter.reject(fromWire(message.error));
  }
}

async function invoke(root: object | undefined, name: string, path: readonly string[], args: unknown[]): Promise<unknown> {
  if (root === undefined) throw new Error(`nothing exposed as "${name}"`);
  let owner: unknown = root;
  for (const key of path.slice(0, -1)) owner = (owner as Record<string, unknown>)[key];
  const fn = (owner as Record<string, unknown> | undefined)?.[path[path.length - 1] ?? ''];
  if (typeof fn !== 'function') throw new Error(`${name}.${path.join('.')} is not a function`);
  return (await (fn as (...a: unknown[]) => unknown).apply(owner, args)) as unknown;
}

const asBuffer = (value: unknown): unknown =>
  value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;

function toWire(err: unknown): WireError {
  if (err instanceof DirectoryError) return { name: 'DirectoryError', message: err.message, kind: err.kind, resultCode: err.resultCode, field: err.field };
  if (err instanceof LdapError) return { name: 'LdapError', message: err.message, resultCode: err.resultCode, matchedDN: err.matchedDN };
  return { name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) };
}

function fromWire(e: WireError): Error {
  if (e.name === 'DirectoryError' && e.kind !== undefined) return new DirectoryError(e.kind, e.message, { resultCode: e.resultCode, field: e.field });
  if (e.name === 'LdapError' && e.resultCode !== undefined) return new LdapError(e.resultCode, e.message, e.matchedDN);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}
