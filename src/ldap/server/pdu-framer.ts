import { pduLength } from '../codec/index.js';

const MIN_CAPACITY = 4096;

/**
 * Cuts the TCP byte stream into whole LDAPMessages, whatever the chunking (RFC 4511 §5.1).
 *
 * PDUs are handed out as views into memory the framer never writes again (decoded values may be
 * views of them too): a chunk that holds whole messages is used in place, and a partial message is
 * copied into a buffer that grows only with bytes actually received (doubling, so at most twice
 * what arrived), so a huge announced length costs nothing unless the bytes really arrive, and
 * `pduLength` refuses lengths above the limit from the header alone.
 */
export class PduFramer {
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;

  constructor(private readonly maxPdu: number) {}

  /** Bytes held for an incomplete message. */
  get buffered(): number {
    return this.len;
  }

  /** Adds received bytes; returns the complete PDUs in order. Throws LdapDecodeError. */
  push(chunk: Buffer): Buffer[] {
    if (this.len === 0) return this.cut(chunk);
    this.append(chunk);
    return this.cut(this.buf.subarray(0, this.len));
  }

  /** Takes whole messages from `data`; keeps the tail (copied into fresh memory) for later. */
  private cut(data: Buffer): Buffer[] {
    const pdus: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const size = pduLength(data, offset, this.maxPdu);
      if (size === 0) break;
      pdus.push(data.subarray(offset, offset + size));
      offset += size;
    }
    const rest = data.length - offset;
    if (rest === 0) {
      this.buf = Buffer.alloc(0);
      this.len = 0;
    } else if (offset > 0 || data.buffer !== this.buf.buffer) {
      // New memory for the tail: the bytes before it now belong to the PDUs handed out.
      this.buf = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, rest * 2));
      data.copy(this.buf, 0, offset);
      this.len = rest;
    }
    return pdus;
  }

  private append(chunk: Buffer): void {
    const needed = this.len + chunk.length;
    if (needed > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    this.len = needed;
  }
}
