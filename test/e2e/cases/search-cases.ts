import { Control } from 'ldapts';
import { expect, it } from 'vitest';
import { GROUPS_DN, SUFFIX, USERS_DN } from '../harness.js';
import { pagedCookies, searchTrailer } from '../ldap-tools.js';
import { ACTIVE_USERNAMES } from '../seed.js';
import { label, ldapsearch, resultCode, sorted, values, withClient, type DirRef } from './context.js';

const PERSON = '(objectClass=inetOrgPerson)';
const ALL = sorted(ACTIVE_USERNAMES);

/** DESIGN §5: scopes, missing bases, size limits, paged results and critical controls. */
export function searchCases(dir: DirRef): void {
  const dns = async (base: string, scope: string, filter = '(objectClass=*)') => {
    const r = await ldapsearch(dir(), { base, filter, extra: ['-s', scope], attrs: ['1.1'] });
    expect(r.code, `${base} ${scope}: ${r.stderr}`).toBe(0);
    return sorted(r.entries.map((e) => e.dn));
  };

  it('scopes on the suffix: base is the suffix, one-level the five containers (ou=teams, ou=apps too), subtree everything', async () => {
    expect(await dns(SUFFIX, 'base')).toEqual([SUFFIX]);
    expect(await dns(SUFFIX, 'one')).toEqual(sorted([USERS_DN, GROUPS_DN, `ou=system,${SUFFIX}`, `ou=teams,${SUFFIX}`, `ou=apps,${SUFFIX}`]));
    const sub = await dns(SUFFIX, 'sub');
    expect(sub).toEqual(expect.arrayContaining([SUFFIX, USERS_DN, GROUPS_DN, ...ACTIVE_USERNAMES.map((n) => dir().user(n).dn)]));
    expect(sub).not.toContain(dir().user('mallory').dn);
  });

  it('scopes on containers: one-level under ou=users lists the users, base the container only', async () => {
    expect(await dns(USERS_DN, 'one')).toEqual(sorted(ACTIVE_USERNAMES.map((n) => dir().user(n).dn)));
    expect(await dns(USERS_DN, 'base')).toEqual([USERS_DN]);
    expect(await dns(GROUPS_DN, 'one')).toEqual(sorted(['users', 'admins', 'eng', 'ops', 'empty'].map((g) => `cn=${g},${GROUPS_DN}`)));
  });

  it('leaves: subtree at a leaf returns the leaf, one-level under it nothing, base the leaf', async () => {
    const alice = dir().user('alice').dn;
    expect(await dns(alice, 'sub')).toEqual([alice]);
    expect(await dns(alice, 'one')).toEqual([]);
    expect(await dns(alice, 'base')).toEqual([alice]);
    expect(await dns(alice.toUpperCase().replace(/,/g, ', '), 'base')).toEqual([alice]);
    expect(await dns(`cn=eng,${GROUPS_DN}`, 'one')).toEqual([]);
  });

  it('a base that does not exist answers 32 noSuchObject with the matched DN', async () => {
    const missingUser = await ldapsearch(dir(), { base: `cn=uid-00000000-0000-4000-8000-000000000000,${USERS_DN}`, extra: ['-s', 'base'], lll: false });
    expect(missingUser.code).toBe(32);
    expect(searchTrailer(missingUser.stdout)).toMatchObject({ result: 32, matchedDn: USERS_DN });
    const missingOu = await ldapsearch(dir(), { base: `ou=nowhere,${SUFFIX}`, lll: false });
    expect(searchTrailer(missingOu.stdout)).toMatchObject({ result: 32, matchedDn: SUFFIX });
    const outside = await ldapsearch(dir(), { base: 'dc=elsewhere,dc=org', lll: false });
    expect(outside.code).toBe(32);
  });

  it('client size limit: -z 2 gives 2 entries and 4 sizeLimitExceeded', async () => {
    const r = await ldapsearch(dir(), { base: USERS_DN, filter: PERSON, extra: ['-z', '2'], attrs: ['uid'] });
    expect(r.code).toBe(4);
    expect(r.entries).toHaveLength(2);
    // ldapts resolves a search that ends in 4 when it set a sizeLimit itself: count what came back.
    const viaLdapts = await withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, (c) => c.search(USERS_DN, { filter: PERSON, sizeLimit: 1 }));
    expect(viaLdapts.searchEntries).toHaveLength(1);
  });

  for (const [name, control] of [['non-critical', 'pr=2/noprompt'], ['critical', '!pr=2/noprompt']] as const) {
    it(`paged results (${name}): pages of 2 over 5 users, cookies until the last page's empty one`, async () => {
      const r = await ldapsearch(dir(), { base: USERS_DN, filter: PERSON, extra: ['-E', control], attrs: ['uid'], lll: false });
      expect(r.code, r.stderr).toBe(0);
      expect(sorted(r.entries.map(label))).toEqual(ALL);
      const cookies = pagedCookies(r.stdout);
      expect(cookies).toHaveLength(3);
      expect(cookies.slice(0, 2).every((c) => c.length > 0)).toBe(true);
      expect(cookies[2]).toBe('');
    });
  }

  it('paged results through ldapts: pages of 2, 2, 1 with every user once', async () => {
    await withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, async (c) => {
      const pages: string[][] = [];
      for await (const page of c.searchPaginated(USERS_DN, { filter: PERSON, attributes: ['uid'], paged: { pageSize: 2 } })) {
        pages.push(page.searchEntries.flatMap((e) => values(e, 'uid')));
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(sorted(pages.flat())).toEqual(ALL);
    });
  });

  it('an unknown critical control answers 12; unknown non-critical ones and ManageDsaIT are ignored', async () => {
    const critical = await ldapsearch(dir(), { base: USERS_DN, filter: '(uid=alice)', extra: ['-e', '!1.2.3.4'] });
    expect(critical.code).toBe(12);
    expect(critical.entries).toEqual([]);
    const plain = await ldapsearch(dir(), { base: USERS_DN, filter: '(uid=alice)', extra: ['-e', '1.2.3.4'], attrs: ['uid'] });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.entries.map(label)).toEqual(['alice']);
    const manageDsaIt = await ldapsearch(dir(), { base: USERS_DN, filter: '(uid=alice)', extra: ['-M', '-M'], attrs: ['uid'] });
    expect(manageDsaIt.code, manageDsaIt.stderr).toBe(0);
    const viaLdapts = await withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, (c) =>
      resultCode(c.search(USERS_DN, { filter: '(uid=alice)' }, new Control('1.2.3.4', { critical: true }))),
    );
    expect(viaLdapts).toBe(12);
  });

  it('several searches in flight on one connection all complete', async () => {
    await withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, async (c) => {
      const results = await Promise.all(ACTIVE_USERNAMES.map((u) => c.search(USERS_DN, { filter: `(uid=${u})`, attributes: ['uid'] })));
      expect(results.map((r) => values(r.searchEntries[0], 'uid')[0])).toEqual([...ACTIVE_USERNAMES]);
    });
  });
}
