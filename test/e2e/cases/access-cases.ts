import { expect, it } from 'vitest';
import { GROUPS_DN, SUFFIX, USERS_DN } from '../harness.js';
import { ACTIVE_USERNAMES } from '../seed.js';
import { label, ldapsearch, sorted, type DirRef } from './context.js';

/**
 * DESIGN §5 access for bound users under `ldap.user_search`. `self`: the own entry (base or
 * subtree searches rooted at it) and the groups, no other user. `all`: every user and group.
 */
export function accessCases(dir: DirRef, policy: 'self' | 'all'): void {
  const as = (name: string) => ({ dn: `uid=${name},${USERS_DN}`, password: dir().user(name).password });

  it(`user_search ${policy}: what a bound user sees under ou=users`, async () => {
    // Three names only: the second daemon's server size limit is 3.
    const filter = '(&(objectClass=inetOrgPerson)(|(uid=alice)(uid=bob)(uid=carol)))';
    const r = await ldapsearch(dir(), { base: USERS_DN, filter, bind: as('alice'), attrs: ['uid'] });
    const users = sorted(r.entries.filter((e) => e.dn.startsWith('cn=uid-')).map(label));
    expect(users).toEqual(policy === 'all' ? ['alice', 'bob', 'carol'] : ['alice']);
    if (policy === 'self') expect([0, 32]).toContain(r.code);
    else expect(r.code).toBe(0);
    for (const name of ACTIVE_USERNAMES) {
      const one = await ldapsearch(dir(), { base: dir().user(name).dn, extra: ['-s', 'base'], bind: as('alice'), attrs: ['uid'] });
      const visible = policy === 'all' || name === 'alice';
      expect({ name, seen: one.entries.map(label) }).toEqual({ name, seen: visible ? [name] : [] });
    }
  });

  it(`user_search ${policy}: a base search on the own entry with an app-style filter returns it with memberOf`, async () => {
    const alice = dir().user('alice');
    const filter = `(&(objectClass=posixAccount)(memberOf=cn=eng,${GROUPS_DN}))`;
    const r = await ldapsearch(dir(), { base: alice.dn, filter, extra: ['-s', 'base'], bind: as('alice'), attrs: ['uid', 'memberOf'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.entries.map((e) => e.dn)).toEqual([alice.dn]);
    expect(r.entries[0]?.attrs['memberOf']).toEqual(expect.arrayContaining([`cn=eng,${GROUPS_DN}`]));
    const sub = await ldapsearch(dir(), { base: alice.dn, bind: as('alice'), attrs: ['1.1'] });
    expect(sub.entries.map((e) => e.dn)).toEqual([alice.dn]);
  });

  it(`user_search ${policy}: groups are visible to a bound user, with their members`, async () => {
    const r = await ldapsearch(dir(), { base: GROUPS_DN, filter: `(member=uid=alice,${USERS_DN})`, bind: as('alice'), attrs: ['cn', 'member'] });
    expect(r.code, r.stderr).toBe(0);
    expect(sorted(r.entries.map(label))).toEqual(['g:eng', 'g:users']);
  });

  it(`user_search ${policy}: another user's entry`, async () => {
    const bob = dir().user('bob').dn;
    const r = await ldapsearch(dir(), { base: bob, extra: ['-s', 'base'], bind: as('alice'), attrs: ['uid'] });
    if (policy === 'all') {
      expect(r.code).toBe(0);
      expect(r.entries.map((e) => e.dn)).toEqual([bob]);
    } else {
      expect(r.entries).toEqual([]);
      expect([0, 32]).toContain(r.code);
    }
    const whole = await ldapsearch(dir(), { base: SUFFIX, filter: '(uid=bob)', bind: as('alice'), attrs: ['uid'] });
    expect(whole.entries.map(label)).toEqual(policy === 'all' ? ['bob'] : []);
  });
}
