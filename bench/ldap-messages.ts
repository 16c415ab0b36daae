import { bool, header, int, str, tlv } from './ber.js';

/**
 * Pre-encoded LDAP requests (RFC 4511 §4.2 bind, §4.5.1 search, RFC 2696 paged results) with a
 * messageID that is patched in place, so the load generator does no encoding work per operation.
 */

/** IDs in this range always take exactly 4 content octets (minimal BER, X.690 §8.3.2). */
export const FIRST_MESSAGE_ID = 0x01000000;
export const LAST_MESSAGE_ID = 0x7fffffff;

export const Tag = {
  bindRequest: 0x60,
  bindResponse: 0x61,
  unbindRequest: 0x42,
  searchRequest: 0x63,
  searchEntry: 0x64,
  searchDone: 0x65,
  searchReference: 0x73,
  extendedResponse: 0x78,
  controls: 0xa0,
} as const;

export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** A request with a fixed-size placeholder (e.g. a username) that is replaced per operation. */
export class Template {
  constructor(
    private readonly bytes: Buffer,
    private readonly idOffset: number,
    private readonly slot?: { readonly offset: number; readonly length: number },
  ) {}

  render(messageId: number, slotValue?: Buffer): Buffer {
    const out = Buffer.from(this.bytes);
    out.writeUInt32BE(messageId, this.idOffset);
    if (this.slot && slotValue) {
      if (slotValue.length !== this.slot.length) throw new Error('slot value has the wrong length');
      slotValue.copy(out, this.slot.offset);
    }
    return out;
  }
}

/** LDAPMessage ::= SEQUENCE { messageID, protocolOp, controls [0] OPTIONAL }. */
export function message(messageId: number, op: Buffer, controls?: Buffer): Buffer {
  const id = Buffer.alloc(6);
  id[0] = 0x02;
  id[1] = 0x04;
  id.writeUInt32BE(messageId, 2);
  return controls ? tlv(0x30, id, op, controls) : tlv(0x30, id, op);
}

/** A template whose `placeholder` bytes (unique within the message) become the slot. */
export function template(op: Buffer, placeholder?: string, controls?: Buffer): Template {
  const bytes = message(FIRST_MESSAGE_ID, op, controls);
  const idOffset = header(bytes, 0).start + 2; // past the outer SEQUENCE and the INTEGER's 02 04
  if (placeholder === undefined) return new Template(bytes, idOffset);
  const needle = Buffer.from(placeholder, 'utf8');
  const offset = bytes.indexOf(needle);
  if (offset < 0) throw new Error(`placeholder ${placeholder} not found in request`);
  return new Template(bytes, idOffset, { offset, length: needle.length });
}

export const filter = {
  equals: (attr: string, value: string): Buffer => tlv(0xa3, str(0x04, attr), str(0x04, value)),
  present: (attr: string): Buffer => str(0x87, attr),
};

export interface SearchParams {
  readonly base: string;
  readonly scope: 0 | 1 | 2;
  readonly filter: Buffer;
  readonly attributes?: readonly string[];
  readonly sizeLimit?: number;
}

export function searchOp(p: SearchParams): Buffer {
  return tlv(
    Tag.searchRequest,
    str(0x04, p.base),
    int(0x0a, p.scope),
    int(0x0a, 0), // derefAliases: neverDerefAliases
    int(0x02, p.sizeLimit ?? 0),
    int(0x02, 0),
    bool(false),
    p.filter,
    tlv(0x30, ...(p.attributes ?? []).map((a) => str(0x04, a))),
  );
}

export function bindOp(dn: string, password: string): Buffer {
  return tlv(Tag.bindRequest, int(0x02, 3), str(0x04, dn), str(0x80, password));
}

/** Controls [0] holding the paged-results control (RFC 2696 §2), not critical. */
export function pagedControls(size: number, cookie: Buffer): Buffer {
  const value = tlv(0x30, int(0x02, size), str(0x04, cookie));
  return tlv(Tag.controls, tlv(0x30, str(0x04, PAGED_RESULTS_OID), str(0x04, value)));
}

export const unbindMessage = (messageId: number): Buffer => message(messageId, Buffer.from([Tag.unbindRequest, 0]));
