import { attributeKey } from '../../domain/attribute-schema.js';
import type { Entry } from '../../domain/entry.js';
import {
  subschemaAttributeTypes,
  subschemaLdapSyntaxes,
  subschemaMatchingRuleUse,
  subschemaMatchingRules,
  subschemaObjectClasses,
} from '../../domain/subschema.js';
import { Oid } from '../protocol.js';

export interface RootDseOptions {
  readonly suffix: string;
  /** StartTLS is advertised only where a plain ldap:// listener exists (DESIGN §3). */
  readonly startTls: boolean;
  readonly vendorVersion: string;
}

export const SUBSCHEMA_DN = 'cn=Subschema';

function entry(dn: string, attrs: Record<string, readonly string[]>): Entry {
  const attributes = new Map<string, readonly string[]>();
  for (const [name, values] of Object.entries(attrs)) if (values.length > 0) attributes.set(attributeKey(name), values);
  return { dn, normDn: dn.toLowerCase(), attributes };
}

/**
 * The rootDSE (RFC 4512 §5.1): readable anonymously, lists only what really works, and never an
 * attribute without values (clients.md §1.1).
 */
export function rootDseEntry(options: RootDseOptions): Entry {
  return entry('', {
    objectClass: ['top', 'extensibleObject'],
    namingContexts: [options.suffix],
    defaultNamingContext: [options.suffix],
    supportedLDAPVersion: ['3'],
    supportedControl: [Oid.pagedResults, Oid.manageDsaIT],
    supportedExtension: [Oid.whoAmI, Oid.passwordModify, ...(options.startTls ? [Oid.startTls] : [])],
    // RFC 3673 all-operational-attributes '+', RFC 4526 absolute true/false filters.
    supportedFeatures: ['1.3.6.1.4.1.4203.1.5.1', '1.3.6.1.4.1.4203.1.5.3'],
    subschemaSubentry: [SUBSCHEMA_DN],
    vendorName: ['pgdir'],
    vendorVersion: [options.vendorVersion],
  });
}

/** cn=Subschema (RFC 4512 §4.2): every attribute type and object class pgdir emits. */
export function subschemaEntry(): Entry {
  return entry(SUBSCHEMA_DN, {
    objectClass: ['top', 'subschema', 'subentry', 'extensibleObject'],
    cn: ['Subschema'],
    structuralObjectClass: ['subentry'],
    attributeTypes: subschemaAttributeTypes(),
    objectClasses: subschemaObjectClasses(),
    ldapSyntaxes: subschemaLdapSyntaxes(),
    matchingRules: subschemaMatchingRules(),
    matchingRuleUse: subschemaMatchingRuleUse(),
    subschemaSubentry: [SUBSCHEMA_DN],
  });
}
