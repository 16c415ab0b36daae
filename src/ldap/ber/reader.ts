import { LdapDecodeError } from '../codec/decode-error.js';

declare global {
  interface Buffer {
    /** Node's internal fast paths behind `buf.toString('utf8' | 'latin1', start, end)` (no argument checks). */
    utf8Slice(start: number, end: number): string;
    latin1Slice(start: number, end: number): string;
  }
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * Strict, bounds-checked BER reader over one PDU (RFC 4511 §5.1: definite lengths only, single-octet
 * tags). It never copies: octet strings are views into the PDU, and every length is checked against
 * the bytes actually present before anything is read, so a forged length cannot cause allocation.
 *
 * Constructed values are read as `const end = r.enter(tag)` … `r.close(end)`. While inside, every
 * read is bounded by the innermost value's end (so a child cannot overrun its parent and a missing
 * element reads as "end of data"), and `close` insists the contents were consumed exactly.
 */
export class BerReader {
  pos: number;
  /** End of the innermost open constructed value (or of the buffer). */
  private limit: number;
  private readonly limits: number[] = [];

  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
  ) {
    this.pos = pos;
    this.limit = end;
  }

  fail(message: string): never {
    throw new LdapDecodeError(`${message} at offset ${this.pos}`);
  }

  /** Tag octet at the current position, or -1 at the end of the PDU. */
  peek(): number {
    return this.pos < this.limit ? (this.buf[this.pos] as number) : -1;
  }

  /** Reads a header whose tag must be `tag`; returns the content length, leaving pos at the content. */
  header(tag: number): number {
    const got = this.peek();
    if (got !== tag) {
      this.fail(got < 0 ? `expected tag ${hex(tag)}, found end of data` : `expected tag ${hex(tag)}, found ${hex(got)}`);
    }
    this.pos++;
    return this.length();
  }

  /** Length octets (X.690 §8.1.3): short form, or long form of at most 4 octets; never indefinite. */
  private length(): number {
    if (this.pos >= this.limit) this.fail('truncated length');
    const first = this.buf[this.pos++] as number;
    let len = first;
    if (first >= 0x80) {
      const n = first & 0x7f;
      if (n === 0) this.fail('indefinite length is not allowed in LDAP');
      if (n > 4) this.fail(`length of ${n} octets is too long`);
      if (this.pos + n > this.limit) this.fail('truncated length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (this.buf[this.pos++] as number);
    }
    if (len > this.limit - this.pos) this.fail(`length ${len} exceeds the ${this.limit - this.pos} bytes left`);
    return len;
  }

  /** Enters a constructed value; returns the offset where its contents end. */
  enter(tag: number): number {
    const len = this.header(tag);
    this.limits.push(this.limit);
    this.limit = this.pos + len;
    return this.limit;
  }

  /** Leaves a constructed value, which must have been consumed exactly. */
  close(end: number): void {
    if (this.pos !== end || end !== this.limit) this.fail('unexpected trailing data');
    const outer = this.limits.pop();
    if (outer === undefined) this.fail('close() without enter()');
    this.limit = outer;
  }

  /** How many constructed values are open (for `skipFrom`). */
  get depth(): number {
    return this.limits.length;
  }

  /**
   * Abandons a partly read element: leaves every value entered since nesting `depth`, returns to
   * `pos` (the element's tag) and skips the whole element by its length, without reading inside.
   */
  skipFrom(pos: number, depth: number): void {
    while (this.limits.length > depth) this.limit = this.limits.pop() as number;
    this.pos = pos;
    if (this.peek() < 0) this.fail('missing element');
    this.pos++;
    const len = this.length(); // advances past the length octets first
    this.pos += len;
  }

  /** The whole buffer must have been consumed. */
  done(): void {
    if (this.limits.length !== 0 || this.pos !== this.limit) this.fail('unexpected trailing data');
  }

  /** An OCTET STRING (or any primitive) as a view into the PDU. */
  octets(tag: number): Buffer {
    const len = this.header(tag);
    const start = this.pos;
    this.pos += len;
    return this.buf.subarray(start, this.pos);
  }

  /** An OCTET STRING decoded as UTF-8 (LDAPString, LDAPDN, LDAPOID: RFC 4511 §4.1.2-4.1.3). */
  string(tag: number): string {
    const len = this.header(tag);
    const start = this.pos;
    this.pos += len;
    // utf8Slice is what toString('utf8', …) calls after checking arguments the header already checked.
    return len === 0 ? '' : this.buf.utf8Slice(start, this.pos);
  }

  /**
   * An INTEGER or ENUMERATED (X.690 §8.3) within [min, max]. Up to 5 content octets are read so that
   * a value in 0..2^32-1 encoded with a leading zero octet fits a JS number exactly.
   */
  integer(tag: number, min: number, max: number): number {
    const len = this.header(tag);
    if (len === 0) this.fail('empty integer');
    if (len > 5) this.fail(`integer of ${len} octets is out of range`);
    let v = ((this.buf[this.pos] as number) << 24) >> 24; // sign-extend the first octet
    for (let i = 1; i < len; i++) v = v * 256 + (this.buf[this.pos + i] as number);
    this.pos += len;
    if (v < min || v > max) {
      this.pos -= len;
      this.fail(`integer ${v} outside ${min}..${max}`);
    }
    return v;
  }

  /** BOOLEAN (X.690 §8.2): one octet; any non-zero value is TRUE. */
  boolean(tag: number): boolean {
    const len = this.header(tag);
    if (len !== 1) this.fail(`boolean of ${len} octets`);
    return this.buf[this.pos++] !== 0;
  }

  /** NULL (X.690 §8.8): no content octets. */
  null(tag: number): void {
    const len = this.header(tag);
    if (len !== 0) this.fail('NULL with content');
  }
}
