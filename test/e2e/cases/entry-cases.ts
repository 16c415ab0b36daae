import { expect, it } from 'vitest';
import { GROUPS_DN, SUFFIX, USERS_DN, groupDn } from '../harness.js';
import { ACTIVE_USERNAMES, ALICE_FALLBACK_EMAIL } from '../seed.js';
import type { LdifEntry } from '../ldap-tools.js';
import { attributeNames, ldapsearch, sorted, values, withClient, type DirRef } from './context.js';

const USER_CLASSES = ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount'];
const GROUP_CLASSES = ['top', 'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup'];
const USER_OPERATIONAL = ['entryUUID', 'entryDN', 'createTimestamp', 'modifyTimestamp', 'pwdChangedTime', 'structuralObjectClass', 'hasSubordinates', 'subschemaSubentry'];
const TIME = /^\d{14}Z$/;

/** DESIGN §3: the user and group entries attribute by attribute, canonical DNs, attribute selection. */
export function entryCases(dir: DirRef): void {
  const admin = () => ({ dn: dir().adminDn, password: dir().adminPassword });
  // ldapsearch shows attribute names exactly as sent (ldapts adds every requested name to its
  // result objects, which would hide what the server returned).
  const entry = async (dn: string, attributes: string[], extra: string[] = []): Promise<LdifEntry | undefined> => {
    const r = await ldapsearch(dir(), { base: dn, extra: ['-s', 'base', ...extra], attrs: attributes });
    expect(r.code, `${dn}: ${r.stderr}`).toBe(0);
    return r.entries[0];
  };
  const names = (e: LdifEntry | undefined): string[] => Object.keys(e?.attrs ?? {});
  const vals = (e: LdifEntry | undefined, name: string): string[] => e?.attrs[name] ?? [];
  const usersGroupGid = async () => Number(vals(await entry(groupDn('users'), ['gidNumber']), 'gidNumber')[0]);

  it('a user entry carries exactly the DESIGN §3 user attributes, in their standard spelling', async () => {
    const alice = dir().user('alice');
    const e = await entry(alice.dn, ['*']);
    expect(e?.dn).toBe(alice.dn);
    expect(sorted(names(e))).toEqual(sorted([
      'objectClass', 'objectCategory', 'cn', 'uid', 'username', 'sAMAccountName', 'mail', 'mailAlternateAddress',
      'displayName', 'givenName', 'sn', 'memberOf', 'uidNumber', 'gidNumber', 'homeDirectory', 'loginShell',
      'gecos',
    ]));
    expect(sorted(vals(e, 'objectClass'))).toEqual(sorted(USER_CLASSES));
    expect(vals(e, 'objectCategory')).toEqual(['person']);
    expect(vals(e, 'cn')).toEqual([`uid-${alice.id}`]);
    for (const name of ['uid', 'username', 'sAMAccountName']) expect(vals(e, name), name).toEqual(['alice']);
    expect(vals(e, 'mail')).toEqual(['alice@example.com']);
    expect(vals(e, 'mailAlternateAddress')).toEqual([ALICE_FALLBACK_EMAIL]);
    expect(vals(e, 'displayName')).toEqual(['Alice Liddell']);
    expect(vals(e, 'givenName')).toEqual(['Alice']);
    expect(vals(e, 'sn')).toEqual(['Liddell']);
    expect(sorted(vals(e, 'memberOf'))).toEqual(sorted([groupDn('users'), groupDn('eng')]));
    expect(vals(e, 'uidNumber')).toEqual([String(alice.uidNumber)]);
    expect(vals(e, 'gidNumber')).toEqual([String(await usersGroupGid())]);
    expect(vals(e, 'homeDirectory')).toEqual(['/home/alice']);
    expect(vals(e, 'loginShell')).toEqual(['/bin/bash']);
    expect(vals(e, 'gecos')).toEqual(['Alice Liddell']);
  });

  it('names: one-word name has no sn, no name falls back to the username, UTF-8 survives', async () => {
    const carol = await entry(dir().user('carol').dn, ['*']);
    expect(vals(carol, 'displayName')).toEqual(['Carol']);
    expect(vals(carol, 'givenName')).toEqual(['Carol']);
    expect(vals(carol, 'sn')).toEqual([]);
    expect(vals(carol, 'mailAlternateAddress')).toEqual([]);
    const erin = await entry(dir().user('erin').dn, ['displayName']);
    expect(vals(erin, 'displayName')).toEqual(['erin']);
    const dave = await entry(dir().user('dave').dn, ['sn', 'displayName', 'gecos']);
    expect(vals(dave, 'sn')).toEqual(['Café']);
    expect(vals(dave, 'displayName')).toEqual(['Dave Café']);
    // RFC 2307 gecos is IA5: folded to ASCII so getent passwd shows a name (SSSD, nslcd).
    expect(vals(dave, 'gecos')).toEqual(['Dave Cafe']);
  });

  it('the admin-role user is in the built-in admins group; uidNumbers are >= 10000 and distinct', async () => {
    const bob = await entry(dir().user('bob').dn, ['memberOf']);
    expect(sorted(vals(bob, 'memberOf'))).toEqual(sorted([groupDn('users'), groupDn('admins'), groupDn('eng')]));
    const numbers = ACTIVE_USERNAMES.map((n) => dir().user(n).uidNumber);
    for (const n of numbers) expect(n).toBeGreaterThanOrEqual(10_000);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('operational attributes come only with "+" (or by name), never userPassword', async () => {
    const alice = dir().user('alice');
    const plus = await entry(alice.dn, ['+']);
    expect(sorted(names(plus))).toEqual(sorted(USER_OPERATIONAL));
    expect(vals(plus, 'entryUUID')).toEqual([alice.id]);
    expect(vals(plus, 'entryDN')).toEqual([alice.dn]);
    for (const t of ['createTimestamp', 'modifyTimestamp', 'pwdChangedTime']) expect(vals(plus, t)[0], t).toMatch(TIME);
    expect(vals(plus, 'structuralObjectClass')).toEqual(['inetOrgPerson']);
    expect(vals(plus, 'hasSubordinates')).toEqual(['FALSE']);
    expect(vals(plus, 'subschemaSubentry')).toEqual(['cn=Subschema']);
    const both = await entry(alice.dn, ['*', '+', 'userPassword']);
    expect(names(both).map((n) => n.toLowerCase())).not.toContain('userpassword');
    const named = await entry(alice.dn, ['entryUUID']);
    expect(names(named)).toEqual(['entryUUID']);
  });

  it('group entries: classes, single cn, gidNumber, member = uniqueMember (canonical DNs), memberUid', async () => {
    const eng = await entry(groupDn('eng'), ['*', '+']);
    const members = sorted([dir().user('alice').dn, dir().user('bob').dn]);
    expect(sorted(vals(eng, 'objectClass'))).toEqual(sorted(GROUP_CLASSES));
    expect(vals(eng, 'cn')).toEqual(['eng']);
    expect(vals(eng, 'description')).toEqual(['Engineers (core)']);
    expect(Number(vals(eng, 'gidNumber')[0])).toBeGreaterThan(0);
    expect(sorted(vals(eng, 'member'))).toEqual(members);
    expect(sorted(vals(eng, 'uniqueMember'))).toEqual(members);
    expect(sorted(vals(eng, 'memberUid'))).toEqual(['alice', 'bob']);
    expect(vals(eng, 'entryUUID')[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(vals(eng, 'createTimestamp')[0]).toMatch(TIME);
    expect(vals(eng, 'userPassword')).toEqual([]);
    const users = await entry(groupDn('users'), ['member', 'memberUid']);
    expect(sorted(vals(users, 'memberUid'))).toEqual(sorted(ACTIVE_USERNAMES));
    expect(sorted(vals(users, 'member'))).toEqual(sorted(ACTIVE_USERNAMES.map((n) => dir().user(n).dn)));
    expect(vals(await entry(groupDn('admins'), ['memberUid']), 'memberUid')).toEqual(['bob']);
    // An empty group has no member attribute at all (never one without values).
    const empty = await entry(groupDn('empty'), ['*']);
    expect(names(empty)).not.toContain('member');
    // ldapts keeps an attribute sent with zero values as []; with no attribute list it adds none itself.
    const raw = await withClient(dir(), admin(), async (c) => (await c.search(groupDn('empty'), { scope: 'base' })).searchEntries[0]);
    for (const name of attributeNames(raw!)) expect(values(raw, name), name).not.toEqual([]);
  });

  it('DNs are byte-identical across entry DN, member, uniqueMember and memberOf; gidNumbers distinct', async () => {
    const r = await ldapsearch(dir(), { base: SUFFIX, filter: '(|(objectClass=posixAccount)(objectClass=posixGroup))', attrs: ['member', 'uniqueMember', 'memberOf', 'gidNumber', 'objectClass'] });
    expect(r.code, r.stderr).toBe(0);
    const dns = new Set(r.entries.map((e) => e.dn));
    for (const e of r.entries) {
      for (const ref of [...(e.attrs['member'] ?? []), ...(e.attrs['uniqueMember'] ?? []), ...(e.attrs['memberOf'] ?? [])]) {
        expect(dns.has(ref), `${e.dn} refers to ${ref}`).toBe(true);
      }
      expect(e.dn).toMatch(/^[a-z]+=[^,]+(,[a-z]+=[^,]+)*$/);
    }
    const groupGids = r.entries.filter((e) => e.dn.endsWith(`,${GROUPS_DN}`)).map((e) => e.attrs['gidNumber']?.[0]);
    expect(new Set(groupGids).size).toBe(groupGids.length);
  });

  it('attribute selection: names match in any case; 1.1, typesOnly, unknown names and dn ignored', async () => {
    const dn = dir().user('alice').dn;
    const odd = await entry(dn, ['GIVENNAME', 'memberof', 'UidNumber', 'noSuchAttribute', 'dn']);
    // DESIGN §3 says "returned in their standard spelling"; docs/ldap.md documents the deliberate
    // deviation for explicitly named attributes: they come back spelled as asked (case-sensitive
    // Go and Python clients), while `*` and `+` use the standard spelling (tested above).
    expect(sorted(names(odd))).toEqual(sorted(['GIVENNAME', 'memberof', 'UidNumber']));
    expect(vals(odd, 'GIVENNAME')).toEqual(['Alice']);
    expect(sorted(vals(odd, 'memberof'))).toEqual(sorted([groupDn('users'), groupDn('eng')]));
    const none = await entry(dn, ['1.1']);
    expect(none?.dn).toBe(dn);
    expect(names(none)).toEqual([]);
    const types = await entry(dn, ['uid', 'mail'], ['-A']); // typesOnly: ldapsearch prints `uid:` without a value
    expect(sorted(names(types))).toEqual(['mail', 'uid']);
    expect(vals(types, 'uid')).toEqual(['']);
  });

  it('the suffix and the containers are real entries', async () => {
    const suffix = await entry(SUFFIX, ['objectClass']);
    expect(sorted(vals(suffix, 'objectClass').map((v) => v.toLowerCase()))).toEqual(['dcobject', 'organization', 'top']);
    for (const ou of [USERS_DN, GROUPS_DN, `ou=system,${SUFFIX}`]) {
      const e = await entry(ou, ['objectClass', 'hasSubordinates']);
      expect(e?.dn, ou).toBe(ou);
      expect(vals(e, 'objectClass').map((v) => v.toLowerCase())).toContain('organizationalunit');
    }
  });
}
