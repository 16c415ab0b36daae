import type { Control } from '../protocol.js';
import { Tag } from '../ber/tags.js';
import { integerSize, lengthSize, putInteger, putLength, scratch } from '../ber/writer.js';
import { writeControls } from './write-parts.js';

/**
 * Wraps an already-encoded protocolOp (e.g. a cached SearchResultEntry body from `encodeEntryBody`)
 * in the LDAPMessage envelope (RFC 4511 §4.1.1): one allocation, header written by hand, body
 * copied once. This is the hot path for search results served from the directory view's cache.
 */
export function encodeMessage(messageId: number, body: Buffer, controls?: readonly Control[]): Buffer {
  const ctl = controls !== undefined && controls.length > 0 ? encodeControls(controls) : undefined;
  const idSize = integerSize(messageId);
  const contentLen = 2 + idSize + body.length + (ctl === undefined ? 0 : ctl.length);
  const out = Buffer.allocUnsafe(1 + lengthSize(contentLen) + contentLen);
  out[0] = Tag.sequence;
  let pos = putLength(out, 1, contentLen);
  out[pos++] = Tag.integer;
  out[pos++] = idSize;
  pos = putInteger(out, pos, messageId);
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
