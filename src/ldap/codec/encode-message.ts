import type { Control } from '../protocol.js';
import { Tag } from '../ber/tags.js';
import { integerSize, lengthSize, putInteger, putLength, scratch } from '../ber/writer.js';
import { writeControls } from './write-parts.js';

/** Octets of the LDAPMessage header (SEQUENCE tag and length, messageID) for `rest` following octets. */
export function envelopeSize(messageId: number, rest: number): number {
  const contentLen = 2 + integerSize(messageId) + rest;
  return 1 + lengthSize(contentLen) + contentLen - rest;
}

/** Writes the LDAPMessage header at `pos` for `rest` octets (protocolOp + controls) to follow. */
export function putEnvelope(out: Buffer, pos: number, messageId: number, rest: number): number {
  const idSize = integerSize(messageId);
  out[pos] = Tag.sequence;
  pos = putLength(out, pos + 1, 2 + idSize + rest);
  out[pos++] = Tag.integer;
  out[pos++] = idSize;
  return putInteger(out, pos, messageId);
}

/**
 * Wraps an already-encoded protocolOp (e.g. a cached SearchResultEntry body from `encodeEntryBody`)
 * in the LDAPMessage envelope (RFC 4511 §4.1.1): one allocation, header written by hand, body
 * copied once. For many results in a row, `PduBatch.pushMessage` avoids even the allocation.
 */
export function encodeMessage(messageId: number, body: Buffer, controls?: readonly Control[]): Buffer {
  const ctl = controls !== undefined && controls.length > 0 ? encodeControls(controls) : undefined;
  const rest = body.length + (ctl === undefined ? 0 : ctl.length);
  const out = Buffer.allocUnsafe(envelopeSize(messageId, rest) + rest);
  let pos = putEnvelope(out, 0, messageId, rest);
  pos += body.copy(out, pos);
  if (ctl !== undefined) ctl.copy(out, pos);
  return out;
}

/** The [0] Controls element on its own. */
export function encodeControls(controls: readonly Control[]): Buffer {
  const w = scratch.reset();
  writeControls(w, controls);
  return w.finish();
}
