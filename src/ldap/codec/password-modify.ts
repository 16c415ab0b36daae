import { BerReader } from '../ber/reader.js';
import { Tag } from '../ber/tags.js';
import { scratch } from '../ber/writer.js';

export interface PasswordModifyRequestValue {
  userIdentity?: string;
  oldPassword?: Buffer;
  newPassword?: Buffer;
}

/**
 * Password Modify request value (RFC 3062 §2). The value itself is optional, and so is each field:
 *   PasswdModifyRequestValue ::= SEQUENCE {
 *     userIdentity [0] OCTET STRING OPTIONAL, oldPasswd [1] OCTET STRING OPTIONAL,
 *     newPasswd [2] OCTET STRING OPTIONAL }
 * Throws LdapDecodeError when malformed (fields out of order, repeated, or unknown).
 */
export function decodePasswordModifyRequest(value?: Buffer): PasswordModifyRequestValue {
  const out: PasswordModifyRequestValue = {};
  if (value === undefined) return out;
  const r = new BerReader(value);
  const end = r.enter(Tag.sequence);
  if (r.pos < end && r.peek() === Tag.ctx0) out.userIdentity = r.string(Tag.ctx0);
  if (r.pos < end && r.peek() === Tag.ctx1) out.oldPassword = Buffer.from(r.octets(Tag.ctx1));
  if (r.pos < end && r.peek() === Tag.ctx2) out.newPassword = Buffer.from(r.octets(Tag.ctx2));
  r.close(end);
  r.done();
  return out;
}

/**
 * Password Modify response value (RFC 3062 §2): SEQUENCE { genPasswd [0] OCTET STRING OPTIONAL }.
 * Without a generated password the responseValue is simply omitted, as the RFC allows.
 */
export function encodePasswordModifyResponse(genPassword?: Buffer): Buffer | undefined {
  if (genPassword === undefined) return undefined;
  const w = scratch.reset();
  w.start(Tag.sequence);
  w.octets(Tag.ctx0, genPassword);
  w.end();
  return w.finish();
}
