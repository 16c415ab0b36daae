/** pgdir's LDAPv3 BER codec (RFC 4511 §4, appendix B): request decoding, response encoding. */
export { LdapDecodeError } from './decode-error.js';
export { pduLength } from './frame.js';
export { decodeMessage, DEFAULT_MAX_DEPTH, DEFAULT_MAX_FILTER_NODES, type DecodeLimits } from './decode-message.js';
export {
  encodeResult,
  encodeSearchReference,
  encodeExtendedResponse,
  encodeIntermediateResponse,
  encodeNoticeOfDisconnection,
} from './encode-response.js';
export { encodeEntryBody, encodeSearchEntry } from './encode-entry.js';
export { encodeMessage, encodeControls } from './encode-message.js';
export { decodePagedResultsValue, encodePagedResultsControl } from './controls.js';
export {
  decodePasswordModifyRequest,
  encodePasswordModifyResponse,
  type PasswordModifyRequestValue,
} from './password-modify.js';
export { PduBatch } from './pdu-batch.js';
