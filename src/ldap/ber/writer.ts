declare global {
  interface Buffer {
    /** Node's internal fast path behind `buf.write(s, offset, 'utf8')`; returns bytes written. */
    utf8Write(s: string, offset: number): number;
  }
}

/** Octets needed to encode `len` as a BER length (X.690 §8.1.3, minimal form). */
export function lengthSize(len: number): number {
  return len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : len < 0x1000000 ? 4 : 5;
}

/** Content octets of a minimal two's-complement INTEGER (X.690 §8.3.2) for -2^31..2^32-1. */
export function integerSize(v: number): number {
  if (v >= 0) return v < 0x80 ? 1 : v < 0x8000 ? 2 : v < 0x800000 ? 3 : v < 0x80000000 ? 4 : 5;
  return v >= -0x80 ? 1 : v >= -0x8000 ? 2 : v >= -0x800000 ? 3 : 4;
}

/** Writes a length at `pos` (space already reserved); returns the new position. */
export function putLength(buf: Buffer, pos: number, len: number): number {
  if (len < 0x80) {
    buf[pos] = len;
    return pos + 1;
  }
  const n = lengthSize(len) - 1;
  buf[pos++] = 0x80 | n;
  for (let i = n - 1; i >= 0; i--) buf[pos++] = Math.floor(len / 2 ** (8 * i)) & 0xff;
  return pos;
}

/** Writes INTEGER content octets at `pos`; returns the new position. */
export function putInteger(buf: Buffer, pos: number, v: number): number {
  const n = integerSize(v);
  for (let i = n - 1; i >= 0; i--) buf[pos++] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  return pos;
}

/**
 * BER writer into one growable scratch buffer. Constructed values reserve a one-octet length and
 * move their contents when the final length needs more (rare and a single memmove), so nothing is
 * measured twice and strings are encoded straight into place. `finish()` copies the result out,
 * which lets one module-level writer be reused for every response without allocation churn.
 */
export class BerWriter {
  buf: Buffer;
  pos = 0;
  private readonly starts: number[] = [];

  constructor(private readonly initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): this {
    this.pos = 0;
    this.starts.length = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Opens a constructed value with the given tag. */
  start(tag: number): void {
    this.ensure(2);
    this.buf[this.pos++] = tag;
    this.starts.push(this.pos++);
  }

  /** Closes the innermost open constructed value, writing its minimal length. */
  end(): void {
    const at = this.starts.pop();
    if (at === undefined) throw new Error('BerWriter.end() without start()');
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const extra = lengthSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    putLength(this.buf, at, len);
    this.pos += extra;
  }

  /** Tag and length of a primitive value whose content the caller writes next. */
  header(tag: number, len: number): void {
    this.ensure(6 + len);
    this.buf[this.pos++] = tag;
    this.pos = putLength(this.buf, this.pos, len);
  }

  octets(tag: number, value: Buffer): void {
    this.header(tag, value.length);
    value.copy(this.buf, this.pos);
    this.pos += value.length;
  }

  /** A UTF-8 OCTET STRING. Short strings are written in place: 42 UTF-16 units never exceed 126 octets. */
  string(tag: number, s: string): void {
    const units = s.length;
    if (units <= 42) {
      this.ensure(2 + units * 3);
      const buf = this.buf;
      buf[this.pos] = tag;
      const n = units === 0 ? 0 : buf.utf8Write(s, this.pos + 2);
      buf[this.pos + 1] = n;
      this.pos += 2 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.header(tag, n);
    this.buf.utf8Write(s, this.pos);
    this.pos += n;
  }

  value(tag: number, v: string | Buffer): void {
    if (typeof v === 'string') this.string(tag, v);
    else this.octets(tag, v);
  }

  integer(tag: number, v: number): void {
    this.ensure(7);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = integerSize(v);
    this.pos = putInteger(this.buf, this.pos, v);
  }

  boolean(tag: number, v: boolean): void {
    this.ensure(3);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 1;
    this.buf[this.pos++] = v ? 0xff : 0x00;
  }

  null(tag: number): void {
    this.ensure(2);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 0;
  }

  /** Pre-encoded bytes, copied verbatim. */
  raw(bytes: Buffer): void {
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** Copies out what was written and resets; a scratch buffer grown by a huge value is released. */
  finish(): Buffer {
    if (this.starts.length !== 0) throw new Error('BerWriter.finish() with unclosed values');
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    if (this.buf.length > 16 * this.initialSize) this.buf = Buffer.allocUnsafe(this.initialSize);
    this.reset();
    return out;
  }
}

/** One writer shared by the encoders: encoding is synchronous, so it is never used re-entrantly. */
export const scratch = new BerWriter();
