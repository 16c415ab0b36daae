import { attributeKey } from '../../src/domain/attribute-schema.js';
import { canonicalDn, normalizeDn } from '../../src/domain/dn.js';
import type { Entry } from '../../src/domain/entry.js';

/** Builds an Entry the way the directory view does: lower-case canonical keys, canonical DNs. */
export function makeEntry(dn: string, attributes: Record<string, readonly string[]>): Entry {
  const map = new Map<string, readonly string[]>();
  for (const [name, values] of Object.entries(attributes)) map.set(attributeKey(name), Object.freeze([...values]));
  return { dn: canonicalDn(dn), normDn: normalizeDn(dn), attributes: map };
}

export const SUFFIX = 'dc=example,dc=com';
export const ALICE_ID = '0b6f3c1e-7d2a-4c55-9a0e-3f1d2c4b5a69';
export const ALICE_DN = `cn=uid-${ALICE_ID},ou=users,${SUFFIX}`;
export const ADMINS_DN = `cn=admins,ou=groups,${SUFFIX}`;
export const USERS_DN = `cn=users,ou=groups,${SUFFIX}`;

export const alice = makeEntry(ALICE_DN, {
  objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount'],
  objectCategory: ['person'],
  cn: [`uid-${ALICE_ID}`],
  uid: ['alice'],
  username: ['alice'],
  sAMAccountName: ['alice'],
  mail: ['alice@example.com'],
  mailAlternateAddress: ['alice@example.org'],
  displayName: ['Alice  Liddell'],
  givenName: ['Alice'],
  sn: ['Liddell'],
  memberOf: [ADMINS_DN, USERS_DN],
  uidNumber: ['10001'],
  gidNumber: ['10000'],
  homeDirectory: ['/home/alice'],
  loginShell: ['/bin/bash'],
  entryUUID: [ALICE_ID],
  createTimestamp: ['20240102030405Z'],
  modifyTimestamp: ['20240615120000Z'],
  pwdChangedTime: ['20240301000000Z'],
  hasSubordinates: ['FALSE'],
  jpegPhoto: ['\u00ff\u00d8'],
  description: ['Curious; fell down a rabbit hole'],
});

export const bob = makeEntry(`cn=uid-1d7e0a9c-3b7f-4f0e-8e3a-111111111111,ou=users,${SUFFIX}`, {
  objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount'],
  uid: ['bob'],
  cn: ['uid-1d7e0a9c-3b7f-4f0e-8e3a-111111111111'],
  mail: ['BOB@Example.com'],
  displayName: ['bob'],
  givenName: ['bob'],
  memberOf: [USERS_DN],
  uidNumber: ['9'],
  gidNumber: ['10000'],
  homeDirectory: ['/home/bob'],
  entryUUID: ['1d7e0a9c-3b7f-4f0e-8e3a-111111111111'],
  createTimestamp: ['20231231235959Z'],
  modifyTimestamp: ['20231231235959Z'],
});

export const admins = makeEntry(ADMINS_DN, {
  objectClass: ['top', 'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup'],
  cn: ['admins'],
  gidNumber: ['10001'],
  description: ['Administrators'],
  member: [ALICE_DN],
  uniqueMember: [ALICE_DN],
  memberUid: ['alice'],
});

export const usersOu = makeEntry(`ou=users,${SUFFIX}`, { objectClass: ['top', 'organizationalUnit'], ou: ['users'] });
