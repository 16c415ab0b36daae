import { Syntax } from './ldap-syntaxes.js';

/**
 * Attribute type definitions (RFC 4512 §4.1.2) for every attribute pgdir emits (DESIGN §3) plus the
 * ones real clients put in filters (research/clients.md §7). Definitions follow RFC 4519, 4524,
 * 2798, 2307bis, 4530, 3045 and OpenLDAP's operational schema, with these deliberate changes:
 * - Directory String naming attributes (cn, uid, sn, givenName...) get caseIgnoreOrderingMatch so
 *   `>=`/`<=` and a later server-side sort work (OpenLDAP has none and answers 18); IA5 ones (mail)
 *   cannot: no standard IA5 ordering rule exists and OpenLDAP rejects a Directory String one;
 * - memberOf is a user attribute (AD-like, returned for `*`), not OpenLDAP's dSAOperation, so it
 *   cannot be NO-USER-MODIFICATION either (RFC 4512 §4.1.2 reserves that for operational ones);
 * - memberUid matches case-insensitively (RFC 2307 says caseExactIA5; usernames are lower case);
 * - `username`, `defaultNamingContext` and the `user`/`group` classes have no registered OID and
 *   live under pgdir's private arc 1.3.6.1.4.1.99999 (placeholder until a PEN is registered).
 */
export type AttributeUsage =
  | 'userApplications'
  | 'directoryOperation'
  | 'distributedOperation'
  | 'dSAOperation';

export interface AttributeTypeDefinition {
  readonly oid: string;
  /** names[0] is the canonical spelling returned on the wire; the rest are aliases. */
  readonly names: readonly string[];
  readonly desc?: string;
  readonly syntax: string;
  readonly equality?: string;
  readonly ordering?: string;
  readonly substr?: string;
  readonly singleValue: boolean;
  readonly noUserModification: boolean;
  readonly usage: AttributeUsage;
}

export const PGDIR_OID_ARC = '1.3.6.1.4.1.99999';

type Shape = Pick<AttributeTypeDefinition, 'syntax' | 'equality' | 'ordering' | 'substr'>;
const SHAPES = {
  string: {
    syntax: Syntax.directoryString,
    equality: 'caseIgnoreMatch',
    ordering: 'caseIgnoreOrderingMatch',
    substr: 'caseIgnoreSubstringsMatch',
  },
  text: { syntax: Syntax.directoryString, equality: 'caseIgnoreMatch', substr: 'caseIgnoreSubstringsMatch' },
  exactString: { syntax: Syntax.directoryString, equality: 'caseExactMatch' },
  ia5: { syntax: Syntax.ia5String, equality: 'caseIgnoreIA5Match', substr: 'caseIgnoreIA5SubstringsMatch' },
  ia5Exact: { syntax: Syntax.ia5String, equality: 'caseExactIA5Match' },
  dn: { syntax: Syntax.dn, equality: 'distinguishedNameMatch' },
  integer: { syntax: Syntax.integer, equality: 'integerMatch', ordering: 'integerOrderingMatch' },
  time: { syntax: Syntax.generalizedTime, equality: 'generalizedTimeMatch', ordering: 'generalizedTimeOrderingMatch' },
  boolean: { syntax: Syntax.boolean, equality: 'booleanMatch' },
  oid: { syntax: Syntax.oid, equality: 'objectIdentifierMatch' },
  octets: { syntax: Syntax.octetString, equality: 'octetStringMatch' },
  uuid: { syntax: Syntax.uuid, equality: 'UUIDMatch', ordering: 'UUIDOrderingMatch' },
  phone: { syntax: Syntax.telephoneNumber, equality: 'telephoneNumberMatch', substr: 'telephoneNumberSubstringsMatch' },
  jpeg: { syntax: Syntax.jpeg },
} satisfies Record<string, Shape>;

/** Flags: s = SINGLE-VALUE, n = NO-USER-MODIFICATION, o = directoryOperation, d = dSAOperation. */
function at(oid: string, names: string | string[], shape: Shape, flags = '', desc?: string): AttributeTypeDefinition {
  const usage: AttributeUsage = flags.includes('d') ? 'dSAOperation' : flags.includes('o') ? 'directoryOperation' : 'userApplications';
  return {
    oid,
    names: typeof names === 'string' ? [names] : names,
    ...(desc === undefined ? {} : { desc }),
    ...shape,
    singleValue: flags.includes('s'),
    noUserModification: flags.includes('n'),
    usage,
  };
}

const { string, text, exactString, ia5, ia5Exact, dn, integer, time, boolean, oid, octets, uuid, phone, jpeg } = SHAPES;
const firstComponent = (syntax: string): Shape => ({ syntax, equality: 'objectIdentifierFirstComponentMatch' });
const NIS = '1.3.6.1.1.1.1.';
const RD = '1.3.6.1.4.1.1466.101.120.';

export const ATTRIBUTE_TYPES: readonly AttributeTypeDefinition[] = [
  // RFC 4512 / 4519 / 4524 / 2798 user attributes
  at('2.5.4.0', 'objectClass', oid),
  at('2.5.4.3', ['cn', 'commonName'], string),
  at('2.5.4.4', ['sn', 'surname'], string),
  at('2.5.4.42', ['givenName', 'gn'], string),
  at('0.9.2342.19200300.100.1.1', ['uid', 'userid'], string),
  at('0.9.2342.19200300.100.1.3', ['mail', 'rfc822Mailbox'], ia5),
  at('2.16.840.1.113730.3.1.241', 'displayName', string, 's'),
  at('2.5.4.13', 'description', text),
  at('2.5.4.11', ['ou', 'organizationalUnitName'], string),
  at('2.5.4.10', ['o', 'organizationName'], string),
  at('0.9.2342.19200300.100.1.25', ['dc', 'domainComponent'], ia5, 's'),
  at('2.5.4.12', 'title', text),
  at('2.5.4.20', 'telephoneNumber', phone),
  at('0.9.2342.19200300.100.1.41', ['mobile', 'mobileTelephoneNumber'], phone),
  at('2.5.4.15', 'businessCategory', text),
  at('2.16.840.1.113730.3.1.3', 'employeeNumber', text, 's'),
  at('2.16.840.1.113730.3.1.4', 'employeeType', text),
  at('2.16.840.1.113730.3.1.2', 'departmentNumber', text),
  at('2.16.840.1.113730.3.1.39', 'preferredLanguage', text, 's'),
  at('1.3.6.1.4.1.250.1.57', 'labeledURI', exactString),
  at('0.9.2342.19200300.100.1.60', 'jpegPhoto', jpeg),
  at('2.5.4.35', 'userPassword', octets),
  at('2.5.4.34', 'seeAlso', dn),
  at('2.5.4.32', 'owner', dn),
  at('0.9.2342.19200300.100.1.10', 'manager', dn),
  at('2.5.4.31', 'member', dn),
  at('2.5.4.50', 'uniqueMember', { syntax: Syntax.nameAndOptionalUid, equality: 'uniqueMemberMatch' }),
  at('1.2.840.113556.1.2.102', 'memberOf', dn, '', 'Groups the entry belongs to'),
  // RFC 2307bis (NIS) and openssh-lpk
  at(`${NIS}0`, 'uidNumber', integer, 's'),
  at(`${NIS}1`, 'gidNumber', integer, 's'),
  at(`${NIS}2`, 'gecos', ia5, 's'),
  at(`${NIS}3`, 'homeDirectory', ia5Exact, 's'),
  at(`${NIS}4`, 'loginShell', ia5Exact, 's'),
  at(`${NIS}5`, 'shadowLastChange', integer, 's'),
  at(`${NIS}6`, 'shadowMin', integer, 's'),
  at(`${NIS}7`, 'shadowMax', integer, 's'),
  at(`${NIS}8`, 'shadowWarning', integer, 's'),
  at(`${NIS}9`, 'shadowInactive', integer, 's'),
  at(`${NIS}10`, 'shadowExpire', integer, 's'),
  at(`${NIS}11`, 'shadowFlag', integer, 's'),
  at(`${NIS}12`, 'memberUid', ia5),
  at('1.3.6.1.4.1.24552.500.1.1.1.13', 'sshPublicKey', octets),
  // Active Directory, Netscape/389 and PKCS#9 names clients use in filters
  at('1.2.840.113556.1.4.782', 'objectCategory', string, 's'),
  at('1.2.840.113556.1.4.221', 'sAMAccountName', string, 's'),
  at('1.2.840.113556.1.4.656', 'userPrincipalName', string, 's'),
  at('1.2.840.113556.1.4.8', 'userAccountControl', integer, 's'),
  at('2.16.840.1.113730.3.1.13', 'mailAlternateAddress', ia5),
  at('1.2.840.113549.1.9.1', ['email', 'emailAddress', 'pkcs9email'], ia5),
  at('2.16.840.1.113730.3.1.610', 'nsAccountLock', text, 'so'),
  at(`${PGDIR_OID_ARC}.1.1`, 'username', string, 's', 'pgdir: login name'),
  // Operational attributes (RFC 4512 §3.4, RFC 4530, RFC 5020, RFC 3045, ppolicy draft)
  at('1.3.6.1.1.16.4', 'entryUUID', uuid, 'sno'),
  at('1.3.6.1.1.20', 'entryDN', dn, 'sno'),
  at('2.5.18.1', 'createTimestamp', time, 'sno'),
  at('2.5.18.2', 'modifyTimestamp', time, 'sno'),
  at('2.5.18.3', 'creatorsName', dn, 'sno'),
  at('2.5.18.4', 'modifiersName', dn, 'sno'),
  at('2.5.21.9', 'structuralObjectClass', oid, 'sno'),
  at('2.5.18.9', 'hasSubordinates', boolean, 'sno'),
  at('2.5.18.10', 'subschemaSubentry', dn, 'sno'),
  at('1.3.6.1.4.1.42.2.27.8.1.16', 'pwdChangedTime', time, 'sno'),
  at('1.3.6.1.4.1.42.2.27.8.1.17', 'pwdAccountLockedTime', time, 'sno'),
  // rootDSE (RFC 4512 §5.1, RFC 3045, RFC 3674)
  at(`${RD}5`, 'namingContexts', dn, 'd'),
  at(`${RD}6`, 'altServer', ia5Exact, 'd'),
  at(`${RD}7`, 'supportedExtension', oid, 'd'),
  at(`${RD}13`, 'supportedControl', oid, 'd'),
  at(`${RD}14`, 'supportedSASLMechanisms', text, 'd'),
  at(`${RD}15`, 'supportedLDAPVersion', integer, 'd'),
  at('1.3.6.1.4.1.4203.1.3.5', 'supportedFeatures', oid, 'd'),
  at('1.3.6.1.1.4', 'vendorName', exactString, 'snd'),
  at('1.3.6.1.1.5', 'vendorVersion', exactString, 'snd'),
  at(`${PGDIR_OID_ARC}.1.2`, 'defaultNamingContext', dn, 'snd', 'pgdir: AD-style default naming context'),
  // Subschema (RFC 4512 §4.2, RFC 3672)
  at('2.5.21.5', 'attributeTypes', firstComponent(Syntax.attributeTypeDescription), 'o'),
  at('2.5.21.6', 'objectClasses', firstComponent(Syntax.objectClassDescription), 'o'),
  at('2.5.21.4', 'matchingRules', firstComponent(Syntax.matchingRuleDescription), 'o'),
  at('2.5.21.8', 'matchingRuleUse', firstComponent(Syntax.matchingRuleUseDescription), 'o'),
  at(`${RD}16`, 'ldapSyntaxes', firstComponent(Syntax.ldapSyntaxDescription), 'o'),
  at('2.5.21.1', 'dITStructureRules', { syntax: Syntax.ditStructureRuleDescription, equality: 'integerFirstComponentMatch' }, 'o'),
  at('2.5.21.2', 'dITContentRules', firstComponent(Syntax.ditContentRuleDescription), 'o'),
  at('2.5.21.7', 'nameForms', firstComponent(Syntax.nameFormDescription), 'o'),
  at('2.5.18.6', 'subtreeSpecification', { syntax: Syntax.subtreeSpecification }, 'so'),
];
