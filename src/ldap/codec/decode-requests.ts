import type {
  AbandonRequest,
  AddRequest,
  Attribute,
  BindRequest,
  CompareRequest,
  DelRequest,
  ExtendedRequest,
  ModifyChange,
  ModifyDNRequest,
  ModifyRequest,
  SearchRequest,
  UnbindRequest,
} from '../protocol.js';
import type { BerReader } from '../ber/reader.js';
import { MAX_INT, Tag } from '../ber/tags.js';
import { decodeFilter, type FilterContext } from './decode-filter.js';

/*
 * One decoder per request protocolOp (RFC 4511 §4.2-4.12, appendix B). Each is entered with the
 * reader at its tag and leaves it just past the op. Binary values are copied out of the PDU so the
 * request stays valid after the connection reuses its receive buffer.
 */

const copy = (b: Buffer): Buffer => Buffer.from(b);

/** BindRequest (§4.2): simple [0] primitive or sasl [3] constructed. */
export function bindRequest(r: BerReader): BindRequest {
  const end = r.enter(Tag.bindRequest);
  const version = r.integer(Tag.integer, 1, 127);
  const name = r.string(Tag.octetString);
  const tag = r.peek();
  let auth: BindRequest['auth'];
  if (tag === Tag.ctx0) auth = { kind: 'simple', password: copy(r.octets(Tag.ctx0)) };
  else if (tag === Tag.ctx3c) {
    const saslEnd = r.enter(Tag.ctx3c);
    const mechanism = r.string(Tag.octetString);
    const credentials = r.pos < saslEnd ? copy(r.octets(Tag.octetString)) : undefined;
    r.close(saslEnd);
    auth = credentials === undefined ? { kind: 'sasl', mechanism } : { kind: 'sasl', mechanism, credentials };
  } else r.fail(`unsupported authentication choice 0x${tag.toString(16)}`);
  r.close(end);
  return { op: 'bind', version, name, auth };
}

/** UnbindRequest (§4.3): [APPLICATION 2] NULL. */
export function unbindRequest(r: BerReader): UnbindRequest {
  r.null(Tag.unbindRequest);
  return { op: 'unbind' };
}

/** SearchRequest (§4.5.1). */
export function searchRequest(r: BerReader, limits: FilterContext): SearchRequest {
  const end = r.enter(Tag.searchRequest);
  const baseObject = r.string(Tag.octetString);
  const scope = r.integer(Tag.enumerated, 0, 2) as SearchRequest['scope'];
  const derefAliases = r.integer(Tag.enumerated, 0, 3) as SearchRequest['derefAliases'];
  const sizeLimit = r.integer(Tag.integer, 0, MAX_INT);
  const timeLimit = r.integer(Tag.integer, 0, MAX_INT);
  const typesOnly = r.boolean(Tag.boolean);
  const filter = decodeFilter(r, limits);
  const attrsEnd = r.enter(Tag.sequence);
  const attributes = attributeList(r, attrsEnd);
  r.close(attrsEnd);
  r.close(end);
  return { op: 'search', baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter, attributes };
}

/**
 * Decoded attribute lists by their exact BER bytes. Applications ask for the same list in every
 * search; the same bytes always decode to the same (frozen) list, so a repeat costs one short
 * string and a lookup instead of a string per attribute, and the list's identity lets the
 * attribute selection compiled from it be reused (view/attribute-selection.ts).
 */
const LISTS = new Map<string, readonly string[]>();
const MAX_LISTS = 256;
const MAX_LIST_BYTES = 1024;
const NONE: readonly string[] = Object.freeze([]);

function attributeList(r: BerReader, end: number): readonly string[] {
  if (r.pos === end) return NONE;
  const key = end - r.pos <= MAX_LIST_BYTES ? r.buf.latin1Slice(r.pos, end) : undefined;
  const held = key === undefined ? undefined : LISTS.get(key);
  if (held !== undefined) {
    r.pos = end;
    return held;
  }
  const list: string[] = [];
  while (r.pos < end) list.push(r.string(Tag.octetString));
  if (key === undefined) return list;
  if (LISTS.size >= MAX_LISTS) LISTS.clear();
  const frozen = Object.freeze(list);
  LISTS.set(key, frozen);
  return frozen;
}

/** PartialAttribute / Attribute: SEQUENCE { type, vals SET OF value }. */
function attribute(r: BerReader, needValues: boolean): Attribute {
  const end = r.enter(Tag.sequence);
  const type = r.string(Tag.octetString);
  const valsEnd = r.enter(Tag.set);
  const values: Buffer[] = [];
  while (r.pos < valsEnd) values.push(copy(r.octets(Tag.octetString)));
  r.close(valsEnd);
  r.close(end);
  if (needValues && values.length === 0) r.fail(`attribute ${type} has no values`);
  return { type, values };
}

/** ModifyRequest (§4.6); operation 3 is increment (RFC 4525). */
export function modifyRequest(r: BerReader): ModifyRequest {
  const end = r.enter(Tag.modifyRequest);
  const object = r.string(Tag.octetString);
  const changesEnd = r.enter(Tag.sequence);
  const changes: ModifyChange[] = [];
  while (r.pos < changesEnd) {
    const changeEnd = r.enter(Tag.sequence);
    const operation = r.integer(Tag.enumerated, 0, 3) as ModifyChange['operation'];
    const { type, values } = attribute(r, false);
    r.close(changeEnd);
    changes.push({ operation, type, values });
  }
  r.close(changesEnd);
  r.close(end);
  return { op: 'modify', object, changes };
}

/** AddRequest (§4.7): every attribute carries at least one value (SIZE (1..MAX)). */
export function addRequest(r: BerReader): AddRequest {
  const end = r.enter(Tag.addRequest);
  const entry = r.string(Tag.octetString);
  const listEnd = r.enter(Tag.sequence);
  const attributes: Attribute[] = [];
  while (r.pos < listEnd) attributes.push(attribute(r, true));
  r.close(listEnd);
  r.close(end);
  return { op: 'add', entry, attributes };
}

/** DelRequest (§4.8): [APPLICATION 10] primitive LDAPDN. */
export function delRequest(r: BerReader): DelRequest {
  return { op: 'delete', entry: r.string(Tag.delRequest) };
}

/** ModifyDNRequest (§4.9): newSuperior is [0] primitive. */
export function modifyDNRequest(r: BerReader): ModifyDNRequest {
  const end = r.enter(Tag.modDNRequest);
  const entry = r.string(Tag.octetString);
  const newRdn = r.string(Tag.octetString);
  const deleteOldRdn = r.boolean(Tag.boolean);
  const newSuperior = r.pos < end ? r.string(Tag.ctx0) : undefined;
  r.close(end);
  const req: ModifyDNRequest = { op: 'modifyDN', entry, newRdn, deleteOldRdn };
  return newSuperior === undefined ? req : { ...req, newSuperior };
}

/** CompareRequest (§4.10). */
export function compareRequest(r: BerReader): CompareRequest {
  const end = r.enter(Tag.compareRequest);
  const entry = r.string(Tag.octetString);
  const avaEnd = r.enter(Tag.sequence);
  const attribute = r.string(Tag.octetString);
  const value = copy(r.octets(Tag.octetString));
  r.close(avaEnd);
  r.close(end);
  return { op: 'compare', entry, attribute, value };
}

/** AbandonRequest (§4.11): [APPLICATION 16] primitive MessageID. */
export function abandonRequest(r: BerReader): AbandonRequest {
  return { op: 'abandon', idToAbandon: r.integer(Tag.abandonRequest, 0, MAX_INT) };
}

/** ExtendedRequest (§4.12): requestName [0], requestValue [1] OPTIONAL. */
export function extendedRequest(r: BerReader): ExtendedRequest {
  const end = r.enter(Tag.extendedRequest);
  const name = r.string(Tag.ctx0);
  const value = r.pos < end ? copy(r.octets(Tag.ctx1)) : undefined;
  r.close(end);
  return value === undefined ? { op: 'extended', name } : { op: 'extended', name, value };
}
