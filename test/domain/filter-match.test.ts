import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDn } from '../../src/domain/dn.js';
import type { Entry, MatchContext } from '../../src/domain/entry.js';
import { compileFilter, compileFilterTernary, evaluateFilter, type MatchResult } from '../../src/domain/filter-match.js';
import { parseFilter } from '../../src/domain/filter-parse.js';
import { filterArbitrary } from './filter-arbitrary.js';
import { ADMINS_DN, admins, ALICE_DN, ALICE_ID, alice, bob, SUFFIX, usersOu } from './filter-entries.js';

const ENTRIES = [alice, bob, admins, usersOu] as const;
type Expect = 'T' | 'F' | 'U';
const tri = (r: MatchResult): Expect => (r === undefined ? 'U' : r ? 'T' : 'F');

/** Expected verdict on [alice, bob, admins, ou=users]. */
function check(filter: string, expected: string, ctx?: MatchContext): void {
  const f = parseFilter(filter);
  const ternary = compileFilterTernary(f, ctx);
  const boolean = compileFilter(f, ctx);
  expect(ENTRIES.map((e) => tri(ternary(e))).join(' '), filter).toBe(expected);
  expect(ENTRIES.map((e) => boolean(e)), filter).toEqual(expected.split(' ').map((x) => x === 'T'));
}

describe('equality by syntax', () => {
  it.each([
    ['(uid=alice)', 'T F F F'],
    ['(uid=ALICE)', 'T F F F'],
    ['(uid=  Alice )', 'T F F F'],
    ['(userid=alice)', 'T F F F'],
    ['(UID;x-opt=alice)', 'T F F F'],
    ['(0.9.2342.19200300.100.1.1=alice)', 'T F F F'],
    ['(displayName=alice liddell)', 'T F F F'],
    ['(displayName=ALICE   LIDDELL)', 'T F F F'],
    ['(mail=ALICE@EXAMPLE.COM)', 'T F F F'],
    ['(mail=bob@example.com)', 'F T F F'],
    ['(rfc822Mailbox=bob@example.com)', 'F T F F'],
    ['(cn=admins)', 'F F T F'],
    ['(commonName=ADMINS)', 'F F T F'],
    ['(objectClass=inetOrgPerson)', 'T T F F'],
    ['(objectclass=GROUPOFNAMES)', 'F F T F'],
    ['(objectClass=2.5.6.6)', 'T T F F'],
    ['(objectClass=organizationalUnit)', 'F F F T'],
    ['(objectClass=univentionGroup)', 'F F F F'],
    ['(homeDirectory=/home/alice)', 'T F F F'],
    ['(homeDirectory=/HOME/ALICE)', 'F F F F'], // caseExactIA5Match
    ['(memberUid=ALICE)', 'F F T F'], // deliberately case-insensitive
    ['(uidNumber=10001)', 'T F F F'],
    ['(uidNumber=010001)', 'T F F F'],
    ['(gidNumber=10001)', 'F F T F'],
    ['(hasSubordinates=false)', 'T F F F'],
    ['(entryUUID=0B6F3C1E-7D2A-4C55-9A0E-3F1D2C4B5A69)', 'T F F F'],
    ['(entryUUID=0b6f3c1e7d2a4c559a0e3f1d2c4b5a69)', 'T F F F'],
    ['(createTimestamp=20240102030405.000Z)', 'T F F F'],
    ['(createTimestamp=20240102040405+0100)', 'T F F F'],
    ['(cn~=ADMINS)', 'F F T F'],
    ['(ou=users)', 'F F F T'],
  ])('%s → %s', check);
});

describe('DN-valued attributes', () => {
  const resolveDn = (value: string): string | undefined =>
    normalizeDn(value) === normalizeDn(`uid=alice,ou=users,${SUFFIX}`) ? alice.normDn : undefined;
  it.each([
    [`(memberOf=${ADMINS_DN})`, 'T F F F'],
    ['(memberOf=CN=Admins, OU=Groups, DC=Example, DC=Com)', 'T F F F'],
    ['(memberOf=cn=users,ou=groups,dc=example,dc=com)', 'T T F F'],
    [`(member=${ALICE_DN.toUpperCase()})`, 'F F T F'],
    [`(uniqueMember=${ALICE_DN})`, 'F F T F'],
    [`(entryDN=${ADMINS_DN})`, 'F F T F'],
    [`(entryDN=ou=users,${SUFFIX})`, 'F F F T'],
    ['(memberOf=cn=admins\\2cou=groups\\2cdc=example\\2cdc=com)', 'T F F F'],
    ['(memberOf=not a dn)', 'U U F F'],
    ['(!(memberOf=not a dn))', 'U U T T'],
    ['(memberOf=*cn=admins*)', 'T F F F'],
    ['(memberOf=*OU=GROUPS,dc=example,dc=com)', 'T T F F'],
  ])('%s → %s', (f, e) => check(f, e));

  it.each([
    [`(member=uid=alice,ou=users,${SUFFIX})`, 'F F T F'],
    [`(uniqueMember=UID=Alice, OU=users, ${SUFFIX})`, 'F F T F'],
    [`(member=uid=nobody,ou=users,${SUFFIX})`, 'F F F F'],
    [`(member=${ALICE_DN})`, 'F F T F'],
  ])('resolves user DNs through ctx.resolveDn: %s → %s', (f, e) => check(f, e, { resolveDn }));
});

describe('presence', () => {
  it.each([
    ['(objectClass=*)', 'T T T T'],
    ['(memberOf=*)', 'T T F F'],
    ['(MEMBEROF=*)', 'T T F F'],
    ['(sn=*)', 'T F F F'],
    ['(surname=*)', 'T F F F'],
    ['(entryDN=*)', 'T T T T'],
    ['(enable=*)', 'F F F F'],
    ['(!(enable=*))', 'T T T T'],
    ['(jpegPhoto=*)', 'T F F F'],
  ])('%s → %s', check);
});

describe('substrings', () => {
  it.each([
    ['(uid=ali*)', 'T F F F'],
    ['(uid=*LIC*)', 'T F F F'],
    ['(uid=*ce)', 'T F F F'],
    ['(uid=a*i*e)', 'T F F F'],
    ['(uid=a*e*i)', 'F F F F'],
    ['(uid=al*li*)', 'F F F F'], // components may not overlap
    ['(displayName=alice l*)', 'T F F F'],
    ['(displayName=alice    l*)', 'T F F F'],
    ['(displayName= alice*)', 'T F F F'],
    ['(displayName=*e l*)', 'T F F F'],
    ['(displayName=*liddell )', 'T F F F'],
    ['(mail=*@example.com)', 'T T F F'],
    ['(mail=*@EXAMPLE.ORG)', 'F F F F'],
    ['(mailAlternateAddress=*@example.org)', 'T F F F'],
    ['(description=*rabbit*)', 'T F F F'],
    ['(cn=uid-*)', 'T T F F'],
    ['(cn=*\\2a*)', 'F F F F'],
    ['(description=*\\3b*)', 'T F F F'],
    ['(uidNumber=1000*)', 'U U F F'], // INTEGER has no SUBSTR rule: Undefined
    ['(!(uidNumber=1000*))', 'U U T T'],
    ['(homeDirectory=/home/*)', 'U U F F'],
    ['(objectClass=*erson)', 'U U U U'],
    ['(unknownattr=*x*)', 'F F F F'],
  ])('%s → %s', check);
});

describe('ordering', () => {
  it.each([
    ['(uidNumber>=10000)', 'T F F F'],
    ['(uidNumber<=9999)', 'F T F F'], // integer, not string, order: "10001" <= "9999" as strings
    ['(uidNumber>=10001)', 'T F F F'],
    ['(uidNumber<=10001)', 'T T F F'],
    ['(uidNumber>=-5)', 'T T F F'],
    ['(uidNumber<=99999999999999999999)', 'T T F F'],
    ['(uidNumber>=abc)', 'U U F F'],
    ['(!(uidNumber>=abc))', 'U U T T'],
    ['(gidNumber>=10001)', 'F F T F'],
    ['(modifyTimestamp>=20240101000000Z)', 'T F F F'],
    ['(modifyTimestamp>=20240101000000.0Z)', 'T F F F'],
    ['(modifyTimestamp>=20240615120000Z)', 'T F F F'],
    ['(modifyTimestamp>=20240615120000.5Z)', 'F F F F'],
    ['(modifyTimestamp>=202406151300+0100)', 'T F F F'],
    ['(modifyTimestamp>=2024061512Z)', 'T F F F'],
    ['(modifyTimestamp>=2024061512.5Z)', 'F F F F'],
    ['(modifyTimestamp<=20240101000000Z)', 'F T F F'],
    ['(|(createTimestamp>=20240101120000.0Z)(modifyTimestamp>=20240101120000.0Z))', 'T F F F'],
    ['(modifyTimestamp>=yesterday)', 'U U F F'],
    ['(modifyTimestamp>=20240231000000Z)', 'U U F F'],
    ['(uid>=b)', 'F T F F'],
    ['(uid<=B)', 'T F F F'],
    ['(uid<=BOB)', 'T T F F'],
    ['(entryUUID>=1)', 'U U F F'],
    ['(entryUUID>=1D7E0A9C-0000-0000-0000-000000000000)', 'F T F F'],
    ['(memberOf>=cn=a)', 'U U F F'], // DN syntax has no ordering rule
    ['(description>=a)', 'U F U F'],
    ['(nsAccountLock>=a)', 'F F F F'],
  ])('%s → %s', check);
});

describe('three-valued logic (RFC 4511 §4.5.1.7)', () => {
  it.each([
    ['(&)', 'T T T T'],
    ['(|)', 'F F F F'],
    ['(!(&))', 'F F F F'],
    ['(|(uidNumber>=abc)(uid=alice))', 'T U F F'],
    ['(&(uidNumber>=abc)(uid=alice))', 'U F F F'],
    ['(&(uidNumber>=abc)(uid=bob))', 'F U F F'],
    ['(!(&(uidNumber>=abc)(uid=bob)))', 'T U T T'],
    ['(!(nsAccountLock=TRUE))', 'T T T T'],
    ['(!(pwdAccountLockedTime=*))', 'T T T T'],
    ['(&(objectClass=person)(!(|(nsAccountLock=TRUE)(userAccountControl:1.2.840.113556.1.4.803:=2))))', 'T T F F'],
    ['(!(jpegPhoto=x))', 'U T T T'], // jpegPhoto has no equality rule
  ])('%s → %s', check);
});

describe('extensible match', () => {
  it.each([
    ['(uid:=ALICE)', 'T F F F'],
    ['(uid:caseExactMatch:=alice)', 'T F F F'],
    ['(uid:caseExactMatch:=Alice)', 'F F F F'],
    ['(uid:2.5.13.5:=alice)', 'T F F F'],
    ['(uid:CASEIGNOREMATCH:=ALICE)', 'T F F F'],
    ['(:caseIgnoreMatch:=ALICE)', 'T F T F'], // uid of alice, memberUid of admins
    ['(:caseExactMatch:=Administrators)', 'F F T F'],
    ['(:integerMatch:=10001)', 'T F T F'],
    ['(ou:=users)', 'F F F T'],
    ['(ou:dn:=users)', 'T T F T'],
    ['(ou:dn:=Groups)', 'F F T F'],
    ['(:dn:caseIgnoreMatch:=groups)', 'F F T F'],
    ['(dc:dn:=EXAMPLE)', 'T T T T'],
    ['(uidNumber:integerOrderingMatch:=10001)', 'F T F F'], // value < assertion
    ['(displayName:caseIgnoreSubstringsMatch:=ali*dell)', 'T F F F'],
    [`(memberOf:distinguishedNameMatch:=${ADMINS_DN.toUpperCase()})`, 'T F F F'],
    ['(modifyTimestamp:generalizedTimeMatch:=20240615120000.000Z)', 'T F F F'],
    ['(uidNumber:integerMatch:=x)', 'U U F F'],
    ['(userAccountControl:1.2.840.113556.1.4.803:=2)', 'F F F F'],
    ['(uidNumber:1.2.840.113556.1.4.803:=2)', 'U U F F'],
    ['(uidNumber:1.2.840.113556.1.4.804:=2)', 'U U F F'],
    ['(!(uidNumber:1.2.840.113556.1.4.803:=2))', 'U U T T'],
    ['(uid:noSuchRule:=alice)', 'U U F F'],
    ['(:1.2.3.4:=x)', 'U U U U'],
    ['(sssmatchingruletest:1.2.840.113556.1.4.1941:=)', 'F F F F'],
    [`(memberOf:1.2.840.113556.1.4.1941:=${ADMINS_DN})`, 'T F F F'], // no ctx.inChain: direct
    ['(memberOf:1.2.840.113556.1.4.1941:=garbage)', 'U U F F'],
    ['(:1.2.840.113556.1.4.1941:=cn=x)', 'U U U U'],
  ])('%s → %s', check);

  it('delegates in-chain to ctx.inChain with the attribute key and normalised group DN', () => {
    const calls: [string, string, string][] = [];
    const ctx: MatchContext = {
      inChain(entry: Entry, attribute: string, groupNormDn: string) {
        calls.push([entry.normDn, attribute, groupNormDn]);
        return entry === bob;
      },
    };
    check('(memberof:1.2.840.113556.1.4.1941:=CN=Outer, OU=Groups, DC=Example, DC=Com)', 'F T F F', ctx);
    expect(calls).toContainEqual([bob.normDn, 'memberof', 'cn=outer,ou=groups,dc=example,dc=com']);
    expect(calls.some(([dn]) => dn === admins.normDn)).toBe(false); // no memberOf: FALSE without asking
  });
});

describe('OR of many equalities (Grafana sync)', () => {
  it('matches any of the listed values, whatever their number', () => {
    const logins = Array.from({ length: 500 }, (_, i) => `(uid=user${i})`).join('');
    check(`(|${logins})`, 'F F F F');
    check(`(|${logins}(uid=BOB))`, 'F T F F');
    check(`(|(uidNumber=abc)${logins}(uid=alice)(cn=ADMINS))`, 'T U T F');
  });
});

describe('robustness', () => {
  it('evaluateFilter agrees with compileFilter', () => {
    const f = parseFilter('(&(objectClass=person)(uid=alice))');
    expect(evaluateFilter(f, alice)).toBe(true);
    expect(evaluateFilter(f, bob)).toBe(false);
  });

  it('never throws, whatever the filter, and NOT flips only TRUE and FALSE', () => {
    fc.assert(
      fc.property(filterArbitrary(), (f) => {
        const plain = compileFilterTernary(f);
        const negated = compileFilterTernary({ type: 'not', filter: f });
        for (const e of ENTRIES) {
          const r = plain(e);
          expect(negated(e)).toBe(r === undefined ? undefined : !r);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('handles attribute values that are not valid for their syntax', () => {
    const odd = { ...alice, attributes: new Map([...alice.attributes, ['uidnumber', ['x']], ['memberof', ['bad dn']]]) };
    expect(evaluateFilter(parseFilter('(uidNumber>=1)'), odd)).toBe(false);
    expect(evaluateFilter(parseFilter('(memberOf=bad dn)'), odd)).toBe(false);
    expect(evaluateFilter(parseFilter(`(entryUUID=${ALICE_ID})`), odd)).toBe(true);
  });
});
