import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/**
 * A deliberately dumb LDAP wire client for server tests: hand-built BER requests (independent of
 * the codec under test) and a minimal response parser, over a raw TCP or TLS socket.
 */

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export function int(n: number, tag = 0x02): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return tlv(tag, Buffer.from(bytes));
}

export const str = (s: string | Buffer, tag = 0x04): Buffer => tlv(tag, Buffer.from(s));
export const message = (id: number, op: Buffer): Buffer => tlv(0x30, int(id), op);

export const bindReq = (id: number, dn = '', password = ''): Buffer =>
  message(id, tlv(0x60, int(3), str(dn), str(password, 0x80)));
export const searchReq = (id: number, base: string, attributes: string[] = []): Buffer =>
  message(id, tlv(0x63, str(base), int(2, 0x0a), int(0, 0x0a), int(0), int(0), tlv(0x01, Buffer.from([0])),
    str('objectClass', 0x87), tlv(0x30, ...attributes.map((a) => str(a)))));
export const abandonReq = (id: number, target: number): Buffer => message(id, int(target, 0x50));
export const unbindReq = (id: number): Buffer => message(id, tlv(0x42));
export const extendedReq = (id: number, oid: string, value?: Buffer): Buffer =>
  message(id, tlv(0x77, str(oid, 0x80), ...(value === undefined ? [] : [str(value, 0x81)])));

export const Tag = { bind: 0x61, entry: 0x64, searchDone: 0x65, compare: 0x6f, extended: 0x78 } as const;
const RESULT_TAGS = new Set([0x61, 0x65, 0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x78]);

export interface WireMessage {
  readonly id: number;
  readonly tag: number;
  readonly resultCode?: number;
  readonly diagnostic?: string;
  readonly name?: string;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(buf: Buffer, offset: number): Tlv | undefined {
  if (buf.length < offset + 2) return undefined;
  const first = buf[offset + 1] as number;
  let len = first;
  let start = offset + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (buf.length < start + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  if (buf.length < start + len) return undefined;
  return { tag: buf[offset] as number, start, end: start + len };
}

function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let o = t.start; o < t.end; ) {
    const c = readTlv(buf, o) as Tlv;
    out.push(c);
    o = c.end;
  }
  return out;
}

function parseOne(buf: Buffer, t: Tlv): WireMessage {
  const [idTlv, op] = children(buf, t) as [Tlv, Tlv];
  const id = buf.subarray(idTlv.start, idTlv.end).reduce((a, b) => a * 256 + b, 0);
  if (!RESULT_TAGS.has(op.tag)) return { id, tag: op.tag };
  const parts = children(buf, op);
  const text = (x: Tlv | undefined) => (x === undefined ? undefined : buf.toString('utf8', x.start, x.end));
  const name = parts.find((p) => p.tag === 0x8a);
  return {
    id,
    tag: op.tag,
    resultCode: buf[(parts[0] as Tlv).start] as number,
    diagnostic: text(parts[2]),
    ...(name === undefined ? {} : { name: text(name) }),
  };
}

/** A connected test client that parses every response as it arrives. */
export class WireClient {
  readonly messages: WireMessage[] = [];
  chunks = 0;
  bytes = 0;
  closed = false;
  private pending = Buffer.alloc(0);
  private readonly waiters: (() => void)[] = [];
  readonly whenClosed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    this.whenClosed = new Promise((resolve) => socket.on('close', () => {
      this.closed = true;
      this.wake();
      resolve();
    }));
  }

  static plain(port: number, localAddress?: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) }, () =>
        resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  static tls(port: number, options: ConnectionOptions & { localAddress?: string }): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ...options }, () =>
        resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  send(data: Buffer): void {
    this.socket.write(data);
  }

  /** Waits until `predicate` holds over the received messages (or the socket closes). */
  async until(predicate: (messages: WireMessage[]) => boolean, timeoutMs = 5000): Promise<WireMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (this.closed) throw new Error(`closed before condition; got ${JSON.stringify(this.messages.slice(-5))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout; got ${this.messages.length} messages`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  /** The final response for message `id`. */
  async result(id: number, timeoutMs = 5000): Promise<WireMessage> {
    const done = (m: WireMessage) => m.id === id && m.resultCode !== undefined;
    await this.until((ms) => ms.some(done), timeoutMs);
    return this.messages.find(done) as WireMessage;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.chunks += 1;
    this.bytes += chunk.length;
    this.pending = Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (let t = readTlv(this.pending, 0); t !== undefined; t = readTlv(this.pending, offset)) {
      this.messages.push(parseOne(this.pending, t));
      offset = t.end;
    }
    this.pending = this.pending.subarray(offset);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
