import type { Control } from '../protocol.js';
import { Oid } from '../protocol.js';
import { BerReader } from '../ber/reader.js';
import { MAX_INT, Tag } from '../ber/tags.js';
import { scratch } from '../ber/writer.js';

/**
 * Simple Paged Results control value (RFC 2696 §2):
 *   realSearchControlValue ::= SEQUENCE { size INTEGER (0..maxInt), cookie OCTET STRING }
 * Throws LdapDecodeError when the value is malformed.
 */
export function decodePagedResultsValue(value: Buffer): { size: number; cookie: Buffer } {
  const r = new BerReader(value);
  const end = r.enter(Tag.sequence);
  const size = r.integer(Tag.integer, 0, MAX_INT);
  const cookie = Buffer.from(r.octets(Tag.octetString));
  r.close(end);
  r.done();
  return { size, cookie };
}

/** The paged-results response control (RFC 2696 §3): size is the server's estimate (0 if unknown). */
export function encodePagedResultsControl(size: number, cookie: Buffer): Control {
  const w = scratch.reset();
  w.start(Tag.sequence);
  w.integer(Tag.integer, size);
  w.octets(Tag.octetString, cookie);
  w.end();
  return { oid: Oid.pagedResults, critical: false, value: w.finish() };
}
