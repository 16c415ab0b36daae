import type { Client } from 'ldapts';
import { EqualityFilter, NotFilter, type Filter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultCode, values } from './cases/context.js';
import { GROUPS_DN, groupDn, startDirectory, USERS_DN, type E2eDirectory } from './harness.js';

/**
 * Issue 20 defect 12: with `ldap.user_search: self` a bound user reads every group with its full
 * member list, so they learn who else exists and who is in which group. `self-only-members` keeps
 * the groups visible (clients resolve the user's groups from them) but lists only the user among
 * their members, in search results, in filters (member, uniqueMember, memberUid, the in-chain rule)
 * and in Compare. Seed: eng {alice, bob}, ops {carol, dave}, empty {}.
 */
describe('pgdir serve with user_search self-only-members', () => {
  let directory: E2eDirectory | undefined;
  let alice: Client | undefined;
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start (see beforeAll)');
    return directory;
  };
  const client = (): Client => {
    if (alice === undefined) throw new Error('alice is not bound');
    return alice;
  };
  const groups = async (c: Client, filter: Filter | string): Promise<Map<string, { member: string[]; uniqueMember: string[]; memberUid: string[] }>> => {
    const { searchEntries } = await c.search(GROUPS_DN, { scope: 'one', filter, attributes: ['cn', 'member', 'uniqueMember', 'memberUid'] });
    return new Map(searchEntries.map((e) => [values(e, 'cn')[0] ?? '', { member: values(e, 'member'), uniqueMember: values(e, 'uniqueMember'), memberUid: values(e, 'memberUid') }]));
  };

  beforeAll(async () => {
    directory = await startDirectory({ mode: 'pglite', userSearch: 'self-only-members', plainListener: false });
    alice = await directory.bound(directory.user('alice').dn, directory.user('alice').password);
  }, 120_000);

  afterAll(async () => {
    await alice?.unbind().catch(() => undefined);
    const exit = await directory?.stop();
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('every group is listed, each with alice as its only visible member', async () => {
    const a = dir().user('alice');
    const seen = await groups(client(), '(objectClass=groupOfNames)');
    expect([...seen.keys()].filter((n) => ['eng', 'ops', 'empty'].includes(n)).sort()).toEqual(['empty', 'eng', 'ops']);
    expect(seen.get('eng')).toEqual({ member: [a.dn], uniqueMember: [a.dn], memberUid: ['alice'] });
    expect(seen.get('ops')).toEqual({ member: [], uniqueMember: [], memberUid: [] });
    expect(seen.get('empty')).toEqual({ member: [], uniqueMember: [], memberUid: [] });
  });

  it("filters on other users' membership match nothing; on alice's own they work as usual", async () => {
    const bob = dir().user('bob');
    const a = dir().user('alice');
    expect([...(await groups(client(), new EqualityFilter({ attribute: 'member', value: bob.dn }))).keys()]).toEqual([]);
    expect([...(await groups(client(), `(member=uid=bob,${USERS_DN})`)).keys()]).toEqual([]);
    expect([...(await groups(client(), '(memberUid=carol)')).keys()]).toEqual([]);
    // The built-in group `users` lists every active user: alice sees herself there too.
    expect([...(await groups(client(), '(uniqueMember=*)')).keys()].sort()).toEqual(['eng', 'users']);
    expect([...(await groups(client(), `(member:1.2.840.113556.1.4.1941:=${bob.dn})`)).keys()]).toEqual([]);
    expect([...(await groups(client(), `(&(cn=eng)(member:1.2.840.113556.1.4.1941:=${a.dn}))`)).keys()]).toEqual(['eng']);
    expect([...(await groups(client(), `(member=uid=alice,${USERS_DN})`)).keys()].sort()).toEqual(['eng', 'users']);
    expect([...(await groups(client(), '(memberUid=alice)')).keys()].sort()).toEqual(['eng', 'users']);
    // Absence reveals nothing either: NOT(bob is a member) holds for every group.
    const notBob = await groups(client(), new NotFilter({ filter: new EqualityFilter({ attribute: 'memberUid', value: 'bob' }) }));
    expect(['eng', 'ops', 'empty'].every((n) => notBob.has(n))).toBe(true);
  });

  it('Compare confirms only alice’s own membership', async () => {
    const bob = dir().user('bob');
    const a = dir().user('alice');
    const compare = (attr: string, value: string): Promise<number> =>
      client().compare(groupDn('eng'), attr, value).then((ok) => (ok ? 6 : 5), (err: unknown) => resultCode(Promise.reject(err)));
    expect(await compare('member', bob.dn)).toBe(5);
    expect(await compare('memberUid', 'bob')).toBe(5);
    expect(await compare('member', a.dn)).toBe(6);
    expect(await compare('memberUid', 'alice')).toBe(6);
  });

  it('other users stay hidden, and the directory admin still sees every member', async () => {
    expect(await resultCode(client().search(dir().user('bob').dn, { scope: 'base' }))).toBe(32);
    const admin = await dir().bound(dir().adminDn, dir().adminPassword);
    try {
      const seen = await groups(admin, '(cn=eng)');
      expect(seen.get('eng')?.memberUid.sort()).toEqual(['alice', 'bob']);
    } finally {
      await admin.unbind();
    }
  });
});
