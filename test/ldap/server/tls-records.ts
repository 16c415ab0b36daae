import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/**
 * A TLS client that counts the TLS records the server sends: the client's TLS runs over a JS
 * stream wrapped around the TCP socket, which reads every record header (RFC 8446 §5.1: type,
 * version, 16-bit length) on the way in. How many records (and so SSL_write calls) a response
 * costs is then an assertion, not a guess.
 */
export interface CountedTls {
  readonly socket: TLSSocket;
  /** Records received so far (any content type). */
  records(): number;
  /** Plaintext received by the client so far. */
  received(): Buffer;
  /** Resolves once at least `bytes` plaintext bytes arrived. */
  waitFor(bytes: number, timeoutMs?: number): Promise<Buffer>;
  close(): void;
}

class RecordCounter extends Duplex {
  records = 0;
  private header = Buffer.alloc(0);
  private skip = 0;

  constructor(private readonly raw: Socket) {
    super();
    raw.on('data', (chunk: Buffer) => {
      this.count(chunk);
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.raw.write(chunk, callback);
  }

  override _final(callback: () => void): void {
    this.raw.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw.destroy();
    callback(error);
  }

  /** Walks record boundaries: 5 header octets, then `length` octets of body to skip. */
  private count(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const need = 5 - this.header.length;
      const take = chunk.subarray(at, at + need);
      this.header = Buffer.concat([this.header, take]);
      at += take.length;
      if (this.header.length === 5) {
        this.records++;
        this.skip = this.header.readUInt16BE(3);
        this.header = Buffer.alloc(0);
      }
    }
  }
}

export async function countedTlsClient(port: number, ca: string): Promise<CountedTls> {
  const raw = netConnect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
  const counter = new RecordCounter(raw);
  const socket = tlsConnect({ socket: counter, ca, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const chunks: Buffer[] = [];
  let total = 0;
  const waiters: { bytes: number; resolve: () => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
    for (const w of waiters.splice(0)) {
      if (total >= w.bytes) w.resolve();
      else waiters.push(w);
    }
  });
  socket.on('error', () => undefined);
  const received = (): Buffer => Buffer.concat(chunks);
  return {
    socket,
    records: () => counter.records,
    received,
    async waitFor(bytes, timeoutMs = 10_000) {
      if (total < bytes) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`only ${total} of ${bytes} bytes arrived`)), timeoutMs);
          waiters.push({ bytes, resolve: () => (clearTimeout(timer), resolve()) });
        });
      }
      return received();
    },
    close: () => socket.destroy(),
  };
}
