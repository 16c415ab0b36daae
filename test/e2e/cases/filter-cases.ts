import { expect, it } from 'vitest';
import { SUFFIX, type E2eDirectory } from '../harness.js';
import { ACTIVE_USERNAMES } from '../seed.js';
import { label, ldapsearch, sorted, values, withClient, type DirRef } from './context.js';

const ALL = [...ACTIVE_USERNAMES];
const GROUPS = ['g:admins', 'g:empty', 'g:eng', 'g:ops', 'g:users'];
const ENG = 'cn=eng,ou=groups,dc=example,dc=com';
const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** [filter, expected labels] (users by uid, groups as g:<cn>), searched by the admin over the whole suffix. */
function filterTable(dir: E2eDirectory): [string, string[]][] {
  const alice = dir.user('alice');
  const below = (n: number) => ALL.filter((u) => dir.user(u).uidNumber <= n);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const posix = (f: string) => `(&(objectClass=posixAccount)${f})`;
  return [
    // equality, case-insensitive names and values
    ['(uid=alice)', ['alice']],
    ['(UID=ALICE)', ['alice']],
    ['(mail=ALICE@example.COM)', ['alice']],
    ['(username=bob)', ['bob']],
    ['(samaccountname=BOB)', ['bob']],
    ['(objectClass=INETORGPERSON)', ALL],
    ['(objectCategory=person)', ALL],
    ['(objectClass=groupOfUniqueNames)', GROUPS],
    [`(entryUUID=${alice.id.toUpperCase()})`, ['alice']],
    [`(uidNumber=${alice.uidNumber})`, ['alice']],
    ['(displayName=alice liddell)', ['alice']],
    // substrings
    ['(uid=a*)', ['alice']],
    ['(uid=*o*)', ['bob', 'carol']],
    ['(uid=a*c*e)', ['alice']],
    ['(mail=*@EXAMPLE.com)', ALL],
    ['(displayName=*builder)', ['bob']],
    ['(cn=uid-*)', ALL],
    // presence (mallory is disabled: never listed)
    ['(mailAlternateAddress=*)', ['alice']],
    [posix('(sn=*)'), ['alice', 'bob', 'dave']],
    ['(memberOf=*)', ALL],
    ['(member=*)', ['g:admins', 'g:eng', 'g:ops', 'g:users']],
    // integer ordering (string ordering would get both of these wrong)
    [posix('(uidNumber>=9)'), ALL],
    [posix('(uidNumber<=9999)'), []],
    [posix('(uidNumber>=10000)'), ALL],
    [posix(`(uidNumber<=${alice.uidNumber})`), below(alice.uidNumber)],
    // time ordering, with and without a fraction
    [posix('(modifyTimestamp>=20000101000000Z)'), ALL],
    [posix('(modifyTimestamp>=20000101000000.0Z)'), ALL],
    [posix('(createTimestamp>=20000101000000.0Z)'), ALL],
    [posix('(modifyTimestamp<=19991231235959Z)'), []],
    [posix(`(createTimestamp>=${tomorrow}.0Z)`), []],
    [posix(`(createTimestamp<=${tomorrow}Z)`), ALL],
    // approx = equality
    ['(uid~=ALICE)', ['alice']],
    ['(cn~=eng)', ['g:eng']],
    // not, and, or, absolute true/false (RFC 4526)
    [posix('(!(uid=alice))'), ['bob', 'carol', 'dave', 'erin']],
    [posix('(|(uid=alice)(mail=bob@example.com))'), ['alice', 'bob']],
    ['(&(objectClass=posixGroup)(|(cn=eng)(cn=ops))(!(cn=ops)))', ['g:eng']],
    [posix('(&)'), ALL],
    [posix('(|)'), []],
    // extensible: dn attributes, known rule, unknown rule, AD bit rule, AD in-chain
    [posix('(ou:dn:=users)'), ALL],
    [posix('(ou:dn:=groups)'), []],
    ['(uid:caseIgnoreMatch:=ALICE)', ['alice']],
    ['(uid:1.2.3.4.5.6:=alice)', []],
    ['(userAccountControl:1.2.840.113556.1.4.803:=2)', []],
    [`(memberOf:${IN_CHAIN}:=${ENG})`, ['alice', 'bob']],
    [`(memberOf:${IN_CHAIN}:=CN=Eng, OU=Groups, DC=Example,DC=Com)`, ['alice', 'bob']],
    // DN-valued assertions: any case and spacing, any bind spelling of a user DN
    ['(memberOf=CN=ENG , ou=groups,dc=example,dc=com)', ['alice', 'bob']],
    [`(member=${alice.dn.toUpperCase()})`, ['g:eng', 'g:users']],
    ['(member=uid=alice,ou=users,dc=example,dc=com)', ['g:eng', 'g:users']],
    ['(uniqueMember=mail=alice@example.com,ou=users,dc=example,dc=com)', ['g:eng', 'g:users']],
    ['(memberUid=carol)', ['g:ops', 'g:users']],
    // unknown attributes compare FALSE, so their negation is TRUE (documented difference from OpenLDAP)
    [posix('(!(nsAccountLock=TRUE))'), ALL],
    ['(nsAccountLock=TRUE)', []],
    ['(noSuchAttribute=*)', []],
    // \XX escapes
    ['(description=Engineers \\28core\\29)', ['g:eng']],
    ['(description=*\\28core\\29)', ['g:eng']],
    ['(sn=caf\\c3\\a9)', ['dave']],
    ['(displayName=Dave Caf\\C3\\A9)', ['dave']],
    ['(uid=\\61lice)', ['alice']],
    ['(cn=\\2a)', []],
  ];
}

/** DESIGN §5 filters, each through ldapsearch, compared as the set of entries returned. */
export function filterCases(dir: DirRef): void {
  it('every filter type matches per the attribute syntax (ldapsearch, admin, subtree of the suffix)', async () => {
    const failures: { filter: string; code: number; expected: string[]; got: string[] }[] = [];
    for (const [filter, expected] of filterTable(dir())) {
      const r = await ldapsearch(dir(), { base: SUFFIX, filter, attrs: ['uid'] });
      const got = sorted(r.entries.map(label));
      if (r.code !== 0 || JSON.stringify(got) !== JSON.stringify(sorted(expected))) {
        failures.push({ filter, code: r.code, expected: sorted(expected), got });
      }
    }
    expect(failures).toEqual([]);
  });

  it('ldapts sends the same filters as BER and gets the same answers', async () => {
    const alice = dir().user('alice');
    await withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, async (c) => {
      const uids = async (filter: string) =>
        sorted((await c.search(SUFFIX, { filter, attributes: ['uid'] })).searchEntries.flatMap((e) => values(e, 'uid')));
      expect(await uids(`(memberOf:${IN_CHAIN}:=${ENG})`)).toEqual(['alice', 'bob']);
      expect(await uids('(&(objectClass=posixAccount)(!(nsAccountLock=TRUE)))')).toEqual(sorted(ALL));
      expect(await uids(`(&(uidNumber>=${alice.uidNumber})(uidNumber<=${alice.uidNumber}))`)).toEqual(['alice']);
      expect(await uids('(sn=Café)')).toEqual(['dave']);
    });
  });
}
