import { DirectoryError, LdapError } from '../../domain/errors.js';
import { ResultCode } from '../../domain/result-code.js';
import { encodeExtendedResponse, encodeResult } from '../codec/index.js';
import type { LdapResult, ProtocolOp, RequestMessage, ResultOp } from '../protocol.js';

const RESULT_OP: Partial<Record<ProtocolOp['op'], ResultOp>> = {
  bind: 'bind',
  search: 'searchDone',
  modify: 'modify',
  add: 'add',
  delete: 'delete',
  modifyDN: 'modifyDN',
  compare: 'compare',
};

/**
 * The final response PDU of the right type for `msg` (BindResponse, SearchResultDone,
 * ExtendedResponse...), or undefined for Unbind and Abandon, which have none (RFC 4511 §4.3, §4.11).
 */
export function responseFor(msg: RequestMessage, result: LdapResult): Buffer | undefined {
  if (msg.request.op === 'extended') return encodeExtendedResponse(msg.messageId, result);
  const op = RESULT_OP[msg.request.op];
  return op === undefined ? undefined : encodeResult(msg.messageId, op, result);
}

/**
 * The result a handler's throw becomes: errors that carry a result code keep it (DESIGN §2.6);
 * anything else is `other` (80) without internals in the diagnostic message.
 */
export function resultFromError(error: unknown): LdapResult {
  if (error instanceof LdapError) {
    return { resultCode: error.resultCode, matchedDN: error.matchedDN, diagnosticMessage: error.message };
  }
  if (error instanceof DirectoryError && error.kind !== 'internal') {
    return { resultCode: error.resultCode, diagnosticMessage: error.message };
  }
  return { resultCode: ResultCode.other, diagnosticMessage: 'internal error' };
}
