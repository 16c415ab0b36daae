import type { Filter } from '../domain/filter.js';
import type { ResultCode } from '../domain/result-code.js';

/**
 * pgdir's typed LDAPv3 vocabulary (RFC 4511 §4 and appendix B). The codec decodes requests into
 * these shapes and encodes responses from them; nothing outside src/ldap sees BER.
 */

export interface Control {
  readonly oid: string;
  readonly critical: boolean;
  readonly value?: Buffer;
}

export const Scope = { base: 0, one: 1, sub: 2 } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export const DerefAliases = { never: 0, searching: 1, finding: 2, always: 3 } as const;
export type DerefAliases = (typeof DerefAliases)[keyof typeof DerefAliases];

export type BindAuth =
  | { readonly kind: 'simple'; readonly password: Buffer }
  | { readonly kind: 'sasl'; readonly mechanism: string; readonly credentials?: Buffer };

export interface BindRequest {
  readonly op: 'bind';
  readonly version: number;
  readonly name: string;
  readonly auth: BindAuth;
}
export interface UnbindRequest {
  readonly op: 'unbind';
}
export interface SearchRequest {
  readonly op: 'search';
  readonly baseObject: string;
  readonly scope: Scope;
  readonly derefAliases: DerefAliases;
  readonly sizeLimit: number;
  readonly timeLimit: number;
  readonly typesOnly: boolean;
  readonly filter: Filter;
  readonly attributes: readonly string[];
}
export interface ModifyChange {
  readonly operation: 0 | 1 | 2 | 3; // add, delete, replace, increment (RFC 4525)
  readonly type: string;
  readonly values: readonly Buffer[];
}
export interface ModifyRequest {
  readonly op: 'modify';
  readonly object: string;
  readonly changes: readonly ModifyChange[];
}
export interface Attribute {
  readonly type: string;
  readonly values: readonly Buffer[];
}
export interface AddRequest {
  readonly op: 'add';
  readonly entry: string;
  readonly attributes: readonly Attribute[];
}
export interface DelRequest {
  readonly op: 'delete';
  readonly entry: string;
}
export interface ModifyDNRequest {
  readonly op: 'modifyDN';
  readonly entry: string;
  readonly newRdn: string;
  readonly deleteOldRdn: boolean;
  readonly newSuperior?: string;
}
export interface CompareRequest {
  readonly op: 'compare';
  readonly entry: string;
  readonly attribute: string;
  readonly value: Buffer;
}
export interface AbandonRequest {
  readonly op: 'abandon';
  readonly idToAbandon: number;
}
export interface ExtendedRequest {
  readonly op: 'extended';
  readonly name: string;
  readonly value?: Buffer;
}

export type ProtocolOp =
  | BindRequest
  | UnbindRequest
  | SearchRequest
  | ModifyRequest
  | AddRequest
  | DelRequest
  | ModifyDNRequest
  | CompareRequest
  | AbandonRequest
  | ExtendedRequest;

export type OpName = ProtocolOp['op'];

/** One decoded LDAPMessage (RFC 4511 §4.1.1). */
export interface RequestMessage<T extends ProtocolOp = ProtocolOp> {
  readonly messageId: number;
  readonly request: T;
  readonly controls: readonly Control[];
}

/** LDAPResult (RFC 4511 §4.1.9), shared by every response that carries one. */
export interface LdapResult {
  readonly resultCode: ResultCode;
  readonly matchedDN?: string;
  readonly diagnosticMessage?: string;
  readonly referral?: readonly string[];
}

export type ResultOp =
  | 'bind'
  | 'searchDone'
  | 'modify'
  | 'add'
  | 'delete'
  | 'modifyDN'
  | 'compare';

/** An entry to send: attribute values as strings (UTF-8) or raw buffers. */
export type { EntryAttribute, SearchEntry } from '../domain/entry.js';

/** Well-known OIDs. */
export const Oid = {
  pagedResults: '1.2.840.113556.1.4.319',
  manageDsaIT: '2.16.840.1.113730.3.4.2',
  startTls: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
  passwordModify: '1.3.6.1.4.1.4203.1.11.1',
  noticeOfDisconnection: '1.3.6.1.4.1.1466.20036',
  inChain: '1.2.840.113556.1.4.1941',
} as const;
