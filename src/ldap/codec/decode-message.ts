import type { Control, ProtocolOp, RequestMessage } from '../protocol.js';
import { BerReader } from '../ber/reader.js';
import { MAX_INT, Tag } from '../ber/tags.js';
import { LdapDecodeError } from './decode-error.js';
import type { FilterContext } from './decode-filter.js';
import * as ops from './decode-requests.js';

export interface DecodeLimits {
  /** Deepest filter nesting accepted (default 32). */
  maxDepth?: number;
  /** Most filter nodes accepted (default 1000). */
  maxFilterNodes?: number;
}

export const DEFAULT_MAX_DEPTH = 32;
export const DEFAULT_MAX_FILTER_NODES = 1000;

/**
 * Decodes one complete client LDAPMessage (RFC 4511 §4.1.1): the PDU must be exactly one SEQUENCE,
 * as framed by `pduLength`. Throws LdapDecodeError (protocolError) for anything malformed, carrying
 * the messageID once it has been read. A well-formed search whose filter is over `limits` throws
 * LdapDecodeError with adminLimitExceeded (`limitExceeded`) only after the whole PDU was checked.
 */
export function decodeMessage(pdu: Buffer, limits: DecodeLimits = {}): RequestMessage {
  const r = new BerReader(pdu);
  const end = r.enter(Tag.sequence);
  if (end !== pdu.length) r.fail('trailing data after LDAPMessage');
  const messageId = r.integer(Tag.integer, 0, MAX_INT);
  try {
    const filters: FilterContext = {
      maxDepth: limits.maxDepth ?? DEFAULT_MAX_DEPTH,
      maxNodes: limits.maxFilterNodes ?? DEFAULT_MAX_FILTER_NODES,
      exceeded: undefined,
    };
    const request = protocolOp(r, filters);
    const controls = r.pos < end ? decodeControls(r) : [];
    r.close(end);
    if (filters.exceeded !== undefined) throw filters.exceeded;
    return { messageId, request, controls };
  } catch (e) {
    if (e instanceof LdapDecodeError && e.messageId === undefined) throw e.withMessageId(messageId);
    throw e;
  }
}

function protocolOp(r: BerReader, limits: FilterContext): ProtocolOp {
  const tag = r.peek();
  switch (tag) {
    case Tag.bindRequest:
      return ops.bindRequest(r);
    case Tag.unbindRequest:
      return ops.unbindRequest(r);
    case Tag.searchRequest:
      return ops.searchRequest(r, limits);
    case Tag.modifyRequest:
      return ops.modifyRequest(r);
    case Tag.addRequest:
      return ops.addRequest(r);
    case Tag.delRequest:
      return ops.delRequest(r);
    case Tag.modDNRequest:
      return ops.modifyDNRequest(r);
    case Tag.compareRequest:
      return ops.compareRequest(r);
    case Tag.abandonRequest:
      return ops.abandonRequest(r);
    case Tag.extendedRequest:
      return ops.extendedRequest(r);
    default:
      return r.fail(tag < 0 ? 'missing protocolOp' : `unknown or non-request protocolOp 0x${tag.toString(16)}`);
  }
}

/** Controls ::= SEQUENCE OF Control (§4.1.11), tagged [0] in LDAPMessage. */
function decodeControls(r: BerReader): Control[] {
  const end = r.enter(Tag.ctx0c);
  const controls: Control[] = [];
  while (r.pos < end) {
    const ctlEnd = r.enter(Tag.sequence);
    const oid = r.string(Tag.octetString);
    const critical = r.pos < ctlEnd && r.peek() === Tag.boolean ? r.boolean(Tag.boolean) : false;
    const value = r.pos < ctlEnd ? Buffer.from(r.octets(Tag.octetString)) : undefined;
    r.close(ctlEnd);
    controls.push(value === undefined ? { oid, critical } : { oid, critical, value });
  }
  r.close(end);
  return controls;
}
