/**
 * LDAP syntaxes (RFC 4517 §3.3, RFC 4530 for UUID, RFC 3672 for SubtreeSpecification) that the
 * attributes pgdir publishes use. Published verbatim in `cn=Subschema` as `ldapSyntaxes`.
 */
export interface LdapSyntax {
  readonly oid: string;
  readonly desc: string;
}

const P = '1.3.6.1.4.1.1466.115.121.1.';

/** OIDs by short handle, so the attribute table stays readable. */
export const Syntax = {
  attributeTypeDescription: `${P}3`,
  boolean: `${P}7`,
  dn: `${P}12`,
  directoryString: `${P}15`,
  ditContentRuleDescription: `${P}16`,
  ditStructureRuleDescription: `${P}17`,
  generalizedTime: `${P}24`,
  ia5String: `${P}26`,
  integer: `${P}27`,
  jpeg: `${P}28`,
  matchingRuleDescription: `${P}30`,
  matchingRuleUseDescription: `${P}31`,
  nameAndOptionalUid: `${P}34`,
  nameFormDescription: `${P}35`,
  objectClassDescription: `${P}37`,
  oid: `${P}38`,
  octetString: `${P}40`,
  subtreeSpecification: `${P}45`,
  telephoneNumber: `${P}50`,
  ldapSyntaxDescription: `${P}54`,
  substringAssertion: `${P}58`,
  uuid: '1.3.6.1.1.16.1',
} as const;

export const LDAP_SYNTAXES: readonly LdapSyntax[] = [
  { oid: Syntax.attributeTypeDescription, desc: 'Attribute Type Description' },
  { oid: Syntax.boolean, desc: 'Boolean' },
  { oid: Syntax.dn, desc: 'Distinguished Name' },
  { oid: Syntax.directoryString, desc: 'Directory String' },
  { oid: Syntax.ditContentRuleDescription, desc: 'DIT Content Rule Description' },
  { oid: Syntax.ditStructureRuleDescription, desc: 'DIT Structure Rule Description' },
  { oid: Syntax.generalizedTime, desc: 'Generalized Time' },
  { oid: Syntax.ia5String, desc: 'IA5 String' },
  { oid: Syntax.integer, desc: 'INTEGER' },
  { oid: Syntax.jpeg, desc: 'JPEG' },
  { oid: Syntax.matchingRuleDescription, desc: 'Matching Rule Description' },
  { oid: Syntax.matchingRuleUseDescription, desc: 'Matching Rule Use Description' },
  { oid: Syntax.nameAndOptionalUid, desc: 'Name And Optional UID' },
  { oid: Syntax.nameFormDescription, desc: 'Name Form Description' },
  { oid: Syntax.objectClassDescription, desc: 'Object Class Description' },
  { oid: Syntax.oid, desc: 'OID' },
  { oid: Syntax.octetString, desc: 'Octet String' },
  { oid: Syntax.subtreeSpecification, desc: 'Subtree Specification' },
  { oid: Syntax.telephoneNumber, desc: 'Telephone Number' },
  { oid: Syntax.ldapSyntaxDescription, desc: 'LDAP Syntax Description' },
  { oid: Syntax.substringAssertion, desc: 'Substring Assertion' },
  { oid: Syntax.uuid, desc: 'UUID' },
];
