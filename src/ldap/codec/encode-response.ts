import type { Control, LdapResult, ResultOp } from '../protocol.js';
import { Oid } from '../protocol.js';
import type { ResultCode } from '../../domain/result-code.js';
import { Tag } from '../ber/tags.js';
import { scratch, type BerWriter } from '../ber/writer.js';
import { writeControls, writeLdapResult } from './write-parts.js';

/** [APPLICATION n] tag of each response that is a plain LDAPResult (RFC 4511 appendix B). */
const RESULT_TAGS: Record<ResultOp, number> = {
  bind: Tag.bindResponse,
  searchDone: Tag.searchResultDone,
  modify: Tag.modifyResponse,
  add: Tag.addResponse,
  delete: Tag.delResponse,
  modifyDN: Tag.modDNResponse,
  compare: Tag.compareResponse,
};

function open(messageId: number): BerWriter {
  const w = scratch.reset();
  w.start(Tag.sequence);
  w.integer(Tag.integer, messageId);
  return w;
}

function close(w: BerWriter, controls?: readonly Control[]): Buffer {
  writeControls(w, controls);
  w.end();
  return w.finish();
}

/** BindResponse, SearchResultDone, Modify/Add/Del/ModDN/CompareResponse. */
export function encodeResult(messageId: number, op: ResultOp, result: LdapResult, controls?: readonly Control[]): Buffer {
  const w = open(messageId);
  w.start(RESULT_TAGS[op]);
  writeLdapResult(w, result);
  w.end();
  return close(w, controls);
}

/** SearchResultReference (§4.5.3): SEQUENCE SIZE (1..MAX) OF URI. */
export function encodeSearchReference(messageId: number, uris: readonly string[], controls?: readonly Control[]): Buffer {
  if (uris.length === 0) throw new RangeError('a SearchResultReference needs at least one URI');
  const w = open(messageId);
  w.start(Tag.searchResultReference);
  for (const uri of uris) w.string(Tag.octetString, uri);
  w.end();
  return close(w, controls);
}

/** ExtendedResponse (§4.12): LDAPResult, responseName [10], responseValue [11]. */
export function encodeExtendedResponse(
  messageId: number,
  result: LdapResult,
  name?: string,
  value?: Buffer,
  controls?: readonly Control[],
): Buffer {
  const w = open(messageId);
  w.start(Tag.extendedResponse);
  writeLdapResult(w, result);
  if (name !== undefined) w.string(Tag.ctx10, name);
  if (value !== undefined) w.octets(Tag.ctx11, value);
  w.end();
  return close(w, controls);
}

/** IntermediateResponse (§4.13): responseName [0], responseValue [1], both optional. */
export function encodeIntermediateResponse(messageId: number, name?: string, value?: Buffer, controls?: readonly Control[]): Buffer {
  const w = open(messageId);
  w.start(Tag.intermediateResponse);
  if (name !== undefined) w.string(Tag.ctx0, name);
  if (value !== undefined) w.octets(Tag.ctx1, value);
  w.end();
  return close(w, controls);
}

/**
 * Notice of Disconnection (§4.4.1): an unsolicited ExtendedResponse with messageID 0 and
 * responseName 1.3.6.1.4.1.1466.20036, sent just before the server closes the connection.
 */
export function encodeNoticeOfDisconnection(resultCode: ResultCode, message: string): Buffer {
  return encodeExtendedResponse(0, { resultCode, diagnosticMessage: message }, Oid.noticeOfDisconnection);
}
