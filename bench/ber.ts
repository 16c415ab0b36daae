/**
 * A deliberately tiny BER writer/reader for the benchmark's load generator and trivial server
 * (X.690 definite-length encoding). It is independent of pgdir's codec so that the generator is
 * neutral: a codec bug in pgdir cannot make its own benchmark look better or worse.
 */

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

/** Minimal two's-complement INTEGER content (X.690 §8.3.2: no redundant leading octets). */
export function integerContent(value: number): Buffer {
  const bytes: number[] = [];
  let n = value;
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return Buffer.from(bytes);
}

export const int = (tag: number, value: number): Buffer => tlv(tag, integerContent(value));
export const str = (tag: number, value: string | Buffer): Buffer =>
  tlv(tag, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
export const bool = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);

/** A tag/length header read at `pos`, or undefined when `buf` does not hold all of it yet. */
export interface Header {
  readonly tag: number;
  readonly length: number;
  /** Offset of the first content octet. */
  readonly start: number;
}

export function readHeader(buf: Buffer, pos: number): Header | undefined {
  if (pos + 2 > buf.length) return undefined;
  const tag = buf[pos] as number;
  const first = buf[pos + 1] as number;
  if (first < 0x80) return { tag, length: first, start: pos + 2 };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new Error(`unsupported BER length form 0x${first.toString(16)}`);
  if (pos + 2 + count > buf.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (buf[pos + 2 + i] as number);
  return { tag, length, start: pos + 2 + count };
}

/** Reads a header that must be complete (inside an already-framed message). */
export function header(buf: Buffer, pos: number): Header {
  const h = readHeader(buf, pos);
  if (!h || h.start + h.length > buf.length) throw new Error(`truncated BER element at ${pos}`);
  return h;
}

export function readUnsigned(buf: Buffer, h: Header): number {
  let n = 0;
  for (let i = h.start; i < h.start + h.length; i++) n = n * 256 + (buf[i] as number);
  return n;
}
