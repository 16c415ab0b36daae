import { type Header, header, readHeader, readUnsigned } from './ber.js';
import { PAGED_RESULTS_OID, Tag } from './ldap-messages.js';

/** A response that ends an operation: SearchResultDone, BindResponse or ExtendedResponse. */
export interface FinalResponse {
  readonly tag: number;
  readonly messageId: number;
  readonly resultCode: number;
  /** The paged-results cookie (RFC 2696 §2) when the response carried that control. */
  readonly cookie?: Buffer;
}

/**
 * Frames the LDAP messages of a byte stream and parses only what the benchmark needs. Entries are
 * counted and skipped without being copied (a group listing can be megabytes per operation);
 * only small final responses are buffered whole.
 */
export class ResponseReader {
  private carry: Buffer | undefined;
  private skip = 0;

  constructor(
    private readonly onEntry: () => void,
    private readonly onFinal: (response: FinalResponse) => void,
  ) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.skip > 0) {
      pos = Math.min(this.skip, buf.length);
      this.skip -= pos;
    } else if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    while (pos < buf.length) {
      const next = this.step(buf, pos);
      if (next === undefined) break;
      pos = next;
    }
    if (pos < buf.length && this.skip === 0) this.carry = Buffer.from(buf.subarray(pos));
  }

  /** Consumes one message at `pos`; returns the next position, or undefined when more bytes are needed. */
  private step(buf: Buffer, pos: number): number | undefined {
    const outer = readHeader(buf, pos);
    if (!outer) return undefined;
    const id = readHeader(buf, outer.start);
    if (!id || id.start + id.length >= buf.length) return undefined;
    const opTag = buf[id.start + id.length] as number;
    const end = outer.start + outer.length;
    if (opTag === Tag.searchEntry || opTag === Tag.searchReference) {
      this.onEntry();
      if (end <= buf.length) return end;
      this.skip = end - buf.length;
      return buf.length;
    }
    if (end > buf.length) return undefined;
    this.onFinal(parseFinal(buf, id, end));
    return end;
  }
}

function parseFinal(buf: Buffer, id: Header, end: number): FinalResponse {
  const messageId = readUnsigned(buf, id);
  const op = header(buf, id.start + id.length);
  let resultCode = -1;
  if (op.length > 0) {
    const rc = header(buf, op.start);
    if (rc.tag === 0x0a) resultCode = readUnsigned(buf, rc);
  }
  const after = op.start + op.length;
  const cookie = after < end && buf[after] === Tag.controls ? pagedCookie(buf, header(buf, after)) : undefined;
  return cookie ? { tag: op.tag, messageId, resultCode, cookie } : { tag: op.tag, messageId, resultCode };
}

/** Control ::= SEQUENCE { controlType, criticality BOOLEAN DEFAULT FALSE, controlValue OCTET STRING OPTIONAL }. */
function pagedCookie(buf: Buffer, controls: Header): Buffer | undefined {
  for (let pos = controls.start; pos < controls.start + controls.length; ) {
    const control = header(buf, pos);
    pos = control.start + control.length;
    const oid = header(buf, control.start);
    if (buf.toString('latin1', oid.start, oid.start + oid.length) !== PAGED_RESULTS_OID) continue;
    let at = oid.start + oid.length;
    if (at < pos && buf[at] === 0x01) at = header(buf, at).start + 1; // skip criticality
    if (at >= pos) return Buffer.alloc(0); // no value: treat as the last page
    const field = header(buf, at);
    const value = header(buf, field.start); // realSearchControlValue SEQUENCE
    const size = header(buf, value.start);
    const cookie = header(buf, size.start + size.length);
    return Buffer.from(buf.subarray(cookie.start, cookie.start + cookie.length));
  }
  return undefined;
}
