import { PGDIR_OID_ARC } from './attribute-types.js';

/**
 * Object classes (RFC 4512 §4.1.1) of every entry pgdir emits: users, groups, the suffix and its
 * containers, service accounts, the rootDSE and cn=Subschema. Standard definitions (RFC 4512,
 * 4519, 2798, 2307bis, 4524, 3672) with three relaxations that describe what pgdir really emits:
 * person MAY sn (one-word names have no sn, DESIGN §3), groupOfNames/groupOfUniqueNames MAY
 * member/uniqueMember (empty groups), subentry MAY subtreeSpecification. `user` and `group` are the
 * AD class names some client presets insist on, declared AUXILIARY under pgdir's private arc.
 */
export type ObjectClassKind = 'ABSTRACT' | 'STRUCTURAL' | 'AUXILIARY';

export interface ObjectClass {
  readonly oid: string;
  readonly name: string;
  /** Lower-case name: what objectClass equality compares. */
  readonly key: string;
  readonly desc?: string;
  readonly sup?: string;
  readonly kind: ObjectClassKind;
  readonly must: readonly string[];
  readonly may: readonly string[];
}

function oc(
  oid: string,
  name: string,
  kind: ObjectClassKind,
  sup: string | undefined,
  must: string[],
  may: string[] = [],
  desc?: string,
): ObjectClass {
  return Object.freeze({
    oid,
    name,
    key: name.toLowerCase(),
    ...(desc === undefined ? {} : { desc }),
    ...(sup === undefined ? {} : { sup }),
    kind,
    must,
    may,
  });
}

const ORG_MAY = ['userPassword', 'businessCategory', 'seeAlso', 'telephoneNumber', 'description'];
const S = 'STRUCTURAL';
const A = 'AUXILIARY';

export const OBJECT_CLASSES: readonly ObjectClass[] = [
  oc('2.5.6.0', 'top', 'ABSTRACT', undefined, ['objectClass']),
  oc('2.5.6.6', 'person', S, 'top', ['cn'], ['sn', 'userPassword', 'telephoneNumber', 'seeAlso', 'description']),
  oc('2.5.6.7', 'organizationalPerson', S, 'person', [], ['title', 'ou', 'telephoneNumber']),
  oc('2.16.840.1.113730.3.2.2', 'inetOrgPerson', S, 'organizationalPerson', [], [
    'displayName', 'givenName', 'mail', 'uid', 'o', 'mobile', 'employeeNumber', 'employeeType',
    'departmentNumber', 'preferredLanguage', 'labeledURI', 'jpegPhoto', 'manager',
  ]),
  oc(`${PGDIR_OID_ARC}.2.1`, 'user', A, 'top', [], [
    'username', 'sAMAccountName', 'userPrincipalName', 'objectCategory', 'mailAlternateAddress',
    'memberOf', 'userAccountControl',
  ], 'pgdir: AD-style user class'),
  oc('1.3.6.1.1.1.2.0', 'posixAccount', A, 'top', ['cn', 'uid', 'uidNumber', 'gidNumber', 'homeDirectory'], [
    'userPassword', 'loginShell', 'gecos', 'description',
  ]),
  oc('1.3.6.1.1.1.2.1', 'shadowAccount', A, 'top', ['uid'], [
    'userPassword', 'description', 'shadowLastChange', 'shadowMin', 'shadowMax', 'shadowWarning',
    'shadowInactive', 'shadowExpire', 'shadowFlag',
  ]),
  oc('1.3.6.1.4.1.24552.500.1.1.2.0', 'ldapPublicKey', A, 'top', [], ['sshPublicKey', 'uid']),
  oc(`${PGDIR_OID_ARC}.2.2`, 'group', A, 'top', [], [
    'member', 'memberOf', 'description', 'sAMAccountName', 'objectCategory',
  ], 'pgdir: AD-style group class'),
  oc('2.5.6.9', 'groupOfNames', S, 'top', ['cn'], ['member', 'businessCategory', 'seeAlso', 'owner', 'ou', 'o', 'description']),
  oc('2.5.6.17', 'groupOfUniqueNames', S, 'top', ['cn'], [
    'uniqueMember', 'businessCategory', 'seeAlso', 'owner', 'ou', 'o', 'description',
  ]),
  // Issue 13: a team under ou=teams (structural organizationalUnit, named by cn) and the derived
  // groups of its levels (groupOfNames + groupOfUniqueNames, with memberUid but no gidNumber).
  oc(`${PGDIR_OID_ARC}.2.13`, 'pgdirTeam', A, 'top', [], ['cn', 'description'], 'pgdir: a team'),
  oc(`${PGDIR_OID_ARC}.2.14`, 'pgdirTeamGroup', A, 'top', [], ['memberUid', 'description'], 'pgdir: a derived team-level group'),
  oc('1.3.6.1.1.1.2.2', 'posixGroup', A, 'top', ['gidNumber'], ['cn', 'userPassword', 'memberUid', 'description']),
  oc('1.3.6.1.4.1.1466.344', 'dcObject', A, 'top', ['dc']),
  oc('2.5.6.4', 'organization', S, 'top', ['o'], ORG_MAY),
  oc('2.5.6.5', 'organizationalUnit', S, 'top', ['ou'], ORG_MAY),
  // Issue 16: an application's bind identity cn=<app>,ou=apps (RFC 4519 §3.2; `l` left out: pgdir has no locality).
  oc('2.5.6.11', 'applicationProcess', S, 'top', ['cn'], ['seeAlso', 'ou', 'description']),
  oc('2.5.6.8', 'organizationalRole', S, 'top', ['cn'], ['ou', 'seeAlso', 'telephoneNumber', 'description']),
  oc('0.9.2342.19200300.100.4.19', 'simpleSecurityObject', A, 'top', ['userPassword']),
  oc('2.5.17.0', 'subentry', S, 'top', ['cn'], ['subtreeSpecification']),
  oc('2.5.20.1', 'subschema', A, undefined, [], [
    'dITStructureRules', 'nameForms', 'dITContentRules', 'objectClasses', 'attributeTypes',
    'matchingRules', 'matchingRuleUse',
  ]),
  oc('1.3.6.1.4.1.1466.101.120.111', 'extensibleObject', A, 'top', []),
];

const BY_NAME: ReadonlyMap<string, ObjectClass> = new Map(
  OBJECT_CLASSES.flatMap((c) => [
    [c.key, c],
    [c.oid, c],
  ]),
);

/** The object class for a name or OID in any case, or undefined. */
export function lookupObjectClass(nameOrOid: string): ObjectClass | undefined {
  return BY_NAME.get(nameOrOid.toLowerCase());
}

/** Every object class pgdir publishes. */
export function allObjectClasses(): readonly ObjectClass[] {
  return OBJECT_CLASSES;
}
