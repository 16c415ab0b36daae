declare global {
  interface Buffer {
    /** Node's internal fast path behind `buf.write(s, offset, 'utf8')`; returns bytes written. */
    utf8Write(s: string, offset: number): number;
  }
}

/** Length octets reserved by `start()`: 0x82 plus two octets. */
const RESERVED = 3;

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

/** Writes a short string: ASCII by hand (cheaper than a native call for a few bytes), else natively. */
function shortUtf8(buf: Buffer, s: string, at: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return buf.utf8Write(s, at);
    buf[at + i] = c;
  }
  return n;
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

  /**
   * Opens a constructed value. Three length octets are reserved (enough for 65535 bytes), so a big
   * value is never moved when it closes; a small one moves left by at most 2 over < 256 bytes.
   */
  start(tag: number): void {
    this.ensure(4);
    this.buf[this.pos] = tag;
    this.starts.push(this.pos + 1);
    this.pos += 4;
  }

  /** Closes the innermost open constructed value, writing its minimal length. */
  end(): void {
    const at = this.starts.pop();
    if (at === undefined) throw new Error('BerWriter.end() without start()');
    const from = at + RESERVED;
    const len = this.pos - from;
    const size = lengthSize(len);
    if (size !== RESERVED) {
      if (size > RESERVED) this.ensure(size - RESERVED);
      const buf = this.buf;
      if (len <= 48) {
        // Short contents shift left faster in JS than through a native copyWithin call.
        for (let i = 0, to = at + size; i < len; i++) buf[to + i] = buf[from + i] as number;
      } else buf.copyWithin(at + size, from, this.pos);
      this.pos += size - RESERVED;
    }
    putLength(this.buf, at, len);
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

  /**
   * A UTF-8 OCTET STRING, encoded straight into place with one native call: the length field is
   * sized for the UTF-16 length (a lower bound of the UTF-8 length, exact for ASCII) and the bytes
   * are moved only in the rare case that multi-byte characters push the length past a boundary.
   */
  string(tag: number, s: string): void {
    const units = s.length;
    this.ensure(6 + units * 3);
    const buf = this.buf;
    buf[this.pos] = tag;
    let size = lengthSize(units);
    const from = this.pos + 1 + size;
    const n = units <= 24 ? shortUtf8(buf, s, from) : buf.utf8Write(s, from);
    if (n !== units && lengthSize(n) !== size) {
      size = lengthSize(n);
      buf.copyWithin(this.pos + 1 + size, from, from + n);
    }
    this.pos = putLength(buf, this.pos + 1, n) + n;
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
