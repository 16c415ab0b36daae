import { LdapDecodeError } from './decode-error.js';

/**
 * Framing for the LDAP byte stream: how long is the LDAPMessage starting at `offset`?
 *
 * Returns its total size (header + contents) when all of it is in `buf`, 0 when more bytes are
 * needed, and throws when the header alone proves the stream is not LDAP: a tag other than
 * SEQUENCE, an indefinite or over-long length (RFC 4511 §5.1 allows definite lengths only), or a
 * size above `maxPdu`. The decision is made from the header octets, so a peer announcing a 100 MB
 * message is refused before a single byte of it is buffered.
 */
export function pduLength(buf: Buffer, offset: number, maxPdu: number): number {
  const avail = buf.length - offset;
  if (avail < 1) return 0;
  const tag = buf[offset] as number;
  if (tag !== 0x30) throw new LdapDecodeError(`LDAPMessage must start with SEQUENCE (0x30), found 0x${tag.toString(16)}`);
  if (avail < 2) return 0;
  const first = buf[offset + 1] as number;
  let header = 2;
  let len = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0) throw new LdapDecodeError('indefinite length is not allowed in LDAP');
    if (n > 4) throw new LdapDecodeError(`length of ${n} octets is too long`);
    if (avail < 2 + n) return 0;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[offset + 2 + i] as number);
    header += n;
  }
  const total = header + len;
  if (total > maxPdu) throw new LdapDecodeError(`message of ${total} bytes exceeds the ${maxPdu}-byte limit`);
  return avail >= total ? total : 0;
}
