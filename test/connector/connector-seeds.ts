import { createHash } from 'node:crypto';

/**
 * Source directories for the connector tests, shaped like the real providers:
 * - JumpCloud: users and groupOfNames side by side in ou=Users,o=<org>,dc=jumpcloud,dc=com.
 * - Active Directory: user/group classes from a small schema (Debian's slapd has none), with
 *   sAMAccountName, objectCategory=person, binary objectGUID, computer accounts to filter out,
 *   group names with spaces, and more users than one page.
 * - Okta: ou=users,dc=<org>,dc=okta,dc=com, groupOfUniqueNames with uniqueMember.
 */

export const JC_SUFFIX = 'dc=jumpcloud,dc=com';
export const JC_ORG = 'o=5f3a9c,dc=jumpcloud,dc=com';
export const JC_USERS = `ou=Users,${JC_ORG}`;
export const PASSWORD = 'source-password-1';

export interface SeedUser {
  readonly uid: string;
  readonly mail?: string;
  readonly displayName?: string;
}

export const jcUserDn = (uid: string): string => `uid=${uid},${JC_USERS}`;

export function jcUserLdif(u: SeedUser, changetype = false): string {
  return [
    `dn: ${jcUserDn(u.uid)}`,
    ...(changetype ? ['changetype: add'] : []),
    'objectClass: top',
    'objectClass: person',
    'objectClass: organizationalPerson',
    'objectClass: inetOrgPerson',
    `uid: ${u.uid}`,
    `cn: ${u.displayName ?? u.uid}`,
    `sn: ${(u.displayName ?? u.uid).split(' ').pop() ?? u.uid}`,
    ...(u.displayName ? [`displayName: ${u.displayName}`] : []),
    ...(u.mail ? [`mail: ${u.mail}`] : []),
    `userPassword: ${PASSWORD}`,
    '',
    '',
  ].join('\n');
}

export function jcGroupLdif(name: string, members: readonly string[]): string {
  return [`dn: cn=${name},${JC_USERS}`, 'objectClass: top', 'objectClass: groupOfNames', `cn: ${name}`, ...members.map((m) => `member: ${jcUserDn(m)}`), '', ''].join('\n');
}

export const JC_USERS_SEED: readonly SeedUser[] = [
  { uid: 'alice', mail: 'alice@example.com', displayName: 'Alice Liddell' },
  { uid: 'bob', mail: 'bob@example.com', displayName: 'Bob Builder' },
  { uid: 'carol', mail: 'carol@example.com', displayName: 'Carol Danvers' },
  { uid: 'Bad_Name', mail: 'bad@example.com', displayName: 'Bad Name' }, // underscore: not a pgdir username
  { uid: 'dave', displayName: 'Dave Nomail' }, // no email: cannot be mirrored
];

export function jumpcloudLdif(extraUsers = 0): string {
  const containers = `dn: ${JC_ORG}\nobjectClass: organization\no: 5f3a9c\n\ndn: ${JC_USERS}\nobjectClass: organizationalUnit\nou: Users\n\n`;
  const bulk = Array.from({ length: extraUsers }, (_, i) => ({ uid: `user${i}`, mail: `user${i}@example.com`, displayName: `User ${i}` }));
  return (
    containers +
    [...JC_USERS_SEED, ...bulk].map((u) => jcUserLdif(u)).join('') +
    jcGroupLdif('engineering', ['alice', 'bob']) +
    jcGroupLdif('sales', ['carol'])
  );
}

/** AD's classes and attributes, with Microsoft's OIDs, as far as the connector needs them. */
export const AD_SCHEMA = `
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.782 NAME 'objectCategory' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL MAY ( sAMAccountName $ objectGUID $ objectCategory $ userPrincipalName $ userAccountControl ) )
objectclass ( 1.2.840.113556.1.5.8 NAME 'group' SUP top STRUCTURAL MUST cn MAY ( member $ sAMAccountName $ objectGUID $ objectCategory $ description ) )
`;

export const AD_SUFFIX = 'dc=corp,dc=example,dc=com';

/** A deterministic 16-byte objectGUID per name. */
export const guidOf = (name: string): Buffer => createHash('sha256').update(name).digest().subarray(0, 16);

export const adUserDn = (i: number): string => `cn=User ${i},ou=Staff,${AD_SUFFIX}`;

function adUser(i: number): string {
  const sam = `user${i}`;
  return [
    `dn: ${adUserDn(i)}`, 'objectClass: top', 'objectClass: user', `cn: User ${i}`, `sn: ${i}`, 'givenName: User',
    `sAMAccountName: ${sam}`, `userPrincipalName: ${sam}@corp.example.com`, `mail: ${sam}@example.com`,
    `displayName: User Number ${i}`, 'objectCategory: person', `objectGUID:: ${guidOf(sam).toString('base64')}`,
    `userPassword: ${PASSWORD}`, '', '',
  ].join('\n');
}

export function adLdif(users: number): string {
  const ou = (name: string): string => `dn: ou=${name},${AD_SUFFIX}\nobjectClass: organizationalUnit\nou: ${name}\n\n`;
  const computer = [
    `dn: cn=WS01,ou=Staff,${AD_SUFFIX}`, 'objectClass: user', 'cn: WS01', 'sn: WS01', 'sAMAccountName: ws01$',
    'objectCategory: computer', `objectGUID:: ${guidOf('ws01').toString('base64')}`, '', '',
  ].join('\n');
  const group = (name: string, members: number[]): string =>
    [`dn: cn=${name},ou=Groups,${AD_SUFFIX}`, 'objectClass: group', `cn: ${name}`, 'objectCategory: group',
      `objectGUID:: ${guidOf(`group:${name}`).toString('base64')}`, ...members.map((i) => `member: ${adUserDn(i)}`), '', ''].join('\n');
  const all = Array.from({ length: users }, (_, i) => i);
  return (
    ou('Staff') + ou('Groups') + all.map(adUser).join('') + computer +
    group('Domain Users', all) + group('Help Desk', [0, 1, 2]) + group('Empty Group', [])
  );
}

export const OKTA_SUFFIX = 'dc=acme,dc=okta,dc=com';

/** Okta's LDAP Interface: logins are email addresses in uid; the Okta user id in uniqueIdentifier. */
export function oktaLdif(): string {
  const ou = (name: string): string => `dn: ou=${name},${OKTA_SUFFIX}\nobjectClass: organizationalUnit\nou: ${name}\n\n`;
  const user = (login: string, id: string, name: string): string =>
    [`dn: uid=${login},ou=users,${OKTA_SUFFIX}`, 'objectClass: inetOrgPerson', 'objectClass: extensibleObject', `uid: ${login}`,
      `cn: ${name}`, `sn: ${name.split(' ').pop()}`, `mail: ${login}`, `uniqueIdentifier: ${id}`, `userPassword: ${PASSWORD}`, '', ''].join('\n');
  const group = (name: string, logins: string[]): string =>
    [`dn: cn=${name},ou=groups,${OKTA_SUFFIX}`, 'objectClass: groupOfUniqueNames', `cn: ${name}`,
      ...logins.map((l) => `uniqueMember: uid=${l},ou=users,${OKTA_SUFFIX}`), '', ''].join('\n');
  return ou('users') + ou('groups') +
    user('ann@acme.com', '00u1ann', 'Ann Okta') + user('ben@acme.com', '00u2ben', 'Ben Okta') +
    group('Everyone', ['ann@acme.com', 'ben@acme.com']) + group('admins', ['ann@acme.com']);
}

/** The `connector:` YAML lines for a JumpCloud-like test slapd read by its reader account. */
export function jumpcloudConnectorYaml(slapd: { readonly url: string; readonly pki: { readonly caFile: string }; readonly readerDn: string }, readerPassword: string): string[] {
  return [
    'connector:',
    '  provider: jumpcloud',
    `  url: ${slapd.url}`,
    `  ca_file: ${slapd.pki.caFile}`,
    `  bind_dn: ${slapd.readerDn}`,
    `  bind_password: ${readerPassword}`,
    `  base_dn: ${JC_ORG}`,
  ];
}
