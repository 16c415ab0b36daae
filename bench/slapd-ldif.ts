import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Dataset, DatasetGroup, DatasetUser } from './dataset.js';

/**
 * The dataset as LDIF for slapadd, in the same DIT shape pgdir serves (DESIGN §3): users as
 * cn=uid-<uuid>,ou=users with inetOrgPerson + posixAccount + shadowAccount, groups under ou=groups
 * with member, uniqueMember, memberUid and gidNumber, the built-in `users` and `admins` groups,
 * and memberOf on users. Debian's nis.schema makes posixGroup STRUCTURAL, so it cannot join
 * groupOfNames (also structural); groups are groupOfNames + extensibleObject instead, which
 * admits the other attributes. slapadd bypasses overlays, so memberOf is written here rather than
 * maintained by the memberof overlay. userPassword is `{CRYPT}<bcrypt>` (verified by crypt(3)).
 */

export const USERS_GID = 10000;
export const ADMINS_GID = 10001;

export const userDnOf = (user: Pick<DatasetUser, 'id'>, suffix: string): string => `cn=uid-${user.id},ou=users,${suffix}`;
export const groupDnOf = (name: string, suffix: string): string => `cn=${name},ou=groups,${suffix}`;

function userLdif(u: DatasetUser, memberOf: readonly string[], suffix: string): string {
  const lines = [
    `dn: ${userDnOf(u, suffix)}`,
    ...['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'posixAccount', 'shadowAccount'].map((c) => `objectClass: ${c}`),
    `cn: uid-${u.id}`, `uid: ${u.username}`, `mail: ${u.email}`, `displayName: ${u.displayName}`,
    `givenName: ${u.givenName}`, `sn: ${u.sn}`, `uidNumber: ${u.uidNumber}`, `gidNumber: ${USERS_GID}`,
    `homeDirectory: /home/${u.username}`, 'loginShell: /bin/bash', `userPassword: {CRYPT}${u.passwordHash}`,
    `entryUUID: ${u.id}`, ...memberOf.map((dn) => `memberOf: ${dn}`),
  ];
  return `${lines.join('\n')}\n\n`;
}

function groupLdif(g: Pick<DatasetGroup, 'name' | 'description' | 'gidNumber'>, members: readonly DatasetUser[], suffix: string): string {
  const dns = members.map((m) => userDnOf(m, suffix));
  const lines = [
    `dn: ${groupDnOf(g.name, suffix)}`, 'objectClass: top', 'objectClass: groupOfNames', 'objectClass: extensibleObject',
    `cn: ${g.name}`, `description: ${g.description}`, `gidNumber: ${g.gidNumber}`,
    ...dns.map((dn) => `member: ${dn}`), ...dns.map((dn) => `uniqueMember: ${dn}`),
    ...members.map((m) => `memberUid: ${m.username}`),
  ];
  return `${lines.join('\n')}\n\n`;
}

function containers(suffix: string): string {
  const dc = /^dc=([^,]+)/.exec(suffix)?.[1] ?? 'example';
  const ou = (name: string): string => `dn: ou=${name},${suffix}\nobjectClass: top\nobjectClass: organizationalUnit\nou: ${name}\n\n`;
  return `dn: ${suffix}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\ndc: ${dc}\no: ${dc}\n\n${ou('users')}${ou('groups')}${ou('system')}`;
}

export async function writeSlapdLdif(dataset: Dataset, suffix: string, file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(containers(suffix));
  const groupOf = new Map<number, string>();
  for (const g of dataset.groups) for (const m of g.members) groupOf.set(m, groupDnOf(g.name, suffix));
  const builtIn = [groupDnOf('users', suffix)];
  for (const u of dataset.users) {
    const memberOf = [groupOf.get(u.index), ...builtIn, u.role === 'admin' ? groupDnOf('admins', suffix) : undefined];
    await write(userLdif(u, memberOf.filter((dn): dn is string => dn !== undefined), suffix));
  }
  const admins = dataset.users.filter((u) => u.role === 'admin');
  await write(groupLdif({ name: 'users', description: 'All users', gidNumber: USERS_GID }, dataset.users, suffix));
  await write(groupLdif({ name: 'admins', description: 'Administrators', gidNumber: ADMINS_GID }, admins, suffix));
  for (const g of dataset.groups) await write(groupLdif(g, g.members.map((i) => dataset.users[i] as DatasetUser), suffix));
  out.end();
  await once(out, 'finish');
}
