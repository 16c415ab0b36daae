import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupAttribute } from '../../src/domain/attribute-schema.js';
import type { Entry } from '../../src/domain/entry.js';
import { compileFilter } from '../../src/domain/filter-match.js';
import { parseFilter } from '../../src/domain/filter-parse.js';
import { ADMINS_DN, ALICE_DN, admins, alice, bob, makeEntry, SUFFIX, usersOu } from './filter-entries.js';

/**
 * OpenLDAP as the oracle for the evaluator: the test entries are loaded into an mdb database with
 * slapadd and every filter is run through `slapcat -a <filter>` (slapd's own filter code). Only
 * filters where pgdir means to behave like OpenLDAP are listed; the deliberate differences (absent
 * or unknown attributes are FALSE, not Undefined; memberUid ignores case; ordering on Directory
 * Strings; DN substrings; INTEGER assertions with leading zeros; substrings rules in extensible
 * matches) are covered by filter-match.test.ts.
 */
const SLAPADD = '/usr/sbin/slapadd';
const SLAPCAT = '/usr/sbin/slapcat';
const dir = mkdtempSync(join(tmpdir(), 'pgdir-oracle-'));
const conf = join(dir, 'slapd.conf');

/** Attributes OpenLDAP's stock schema (core, cosine, inetorgperson, nis) defines. */
function slapdKnows(key: string): boolean {
  return !['username', 'samaccountname', 'objectcategory', 'memberof', 'mailalternateaddress', 'entrydn',
    'hassubordinates', 'pwdchangedtime'].includes(key);
}

const suffix = makeEntry(SUFFIX, { objectClass: ['top', 'dcObject', 'organization'], dc: ['example'], o: ['Example'] });
const groupsOu = makeEntry(`ou=groups,${SUFFIX}`, { objectClass: ['top', 'organizationalUnit'], ou: ['groups'] });
/** slapadd stamps entries lacking them with the current time and a fresh UUID: give them fixed ones. */
const OPERATIONAL: readonly (readonly [string, readonly string[]])[] = [
  ['createtimestamp', ['20200101000000Z']],
  ['modifytimestamp', ['20200101000000Z']],
  ['entryuuid', ['00000000-0000-4000-8000-000000000000']],
];
const ENTRIES: Entry[] = [suffix, usersOu, groupsOu, alice, bob, admins].map((e, i) => ({
  ...e,
  attributes: new Map([
    ...OPERATIONAL.map(([k, v]): [string, readonly string[]] => [k, k === 'entryuuid' ? [`${i}${(v[0] as string).slice(1)}`] : v]),
    ...[...e.attributes]
      .filter(([k]) => slapdKnows(k))
      .map(([k, v]): [string, readonly string[]] => [k, k === 'objectclass' ? v.filter((c) => c !== 'user' && c !== 'group') : v]),
  ]),
}));

function ldif(e: Entry): string {
  const lines = [`dn: ${e.dn}`];
  for (const [key, values] of e.attributes) {
    const name = lookupAttribute(key)?.name ?? key;
    for (const v of values) lines.push(`${name}:: ${Buffer.from(v, 'utf8').toString('base64')}`);
  }
  return lines.join('\n');
}

beforeAll(() => {
  if (!existsSync(SLAPADD)) return;
  mkdirSync(join(dir, 'db'));
  const schema = ['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`);
  writeFileSync(conf, [...schema, 'modulepath /usr/lib/ldap', 'moduleload back_mdb', 'database mdb',
    `suffix "${SUFFIX}"`, `directory ${join(dir, 'db')}`, ''].join('\n'));
  writeFileSync(join(dir, 'data.ldif'), ENTRIES.map(ldif).join('\n\n') + '\n');
  const add = spawnSync(SLAPADD, ['-f', conf, '-s', '-l', join(dir, 'data.ldif')], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function slapdMatches(filter: string): string[] {
  const run = spawnSync(SLAPCAT, ['-f', conf, '-a', filter, '-o', 'ldif-wrap=no'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`slapcat ${filter}: ${run.stderr}`);
  return [...run.stdout.matchAll(/^dn: (.*)$/gm)].map((m) => (m[1] as string).toLowerCase()).sort();
}

function pgdirMatches(filter: string): string[] {
  const match = compileFilter(parseFilter(filter));
  return ENTRIES.filter(match).map((e) => e.dn.toLowerCase()).sort();
}

const FILTERS = [
  '(uid=ALICE)', '(uid=  Alice )', '(displayName=alice   liddell)', '(mail=ALICE@EXAMPLE.COM)', '(cn=admins)',
  '(objectClass=inetOrgPerson)', '(objectClass=2.5.6.6)', '(objectclass=GROUPOFNAMES)', '(homeDirectory=/HOME/ALICE)',
  '(homeDirectory=/home/alice)', '(gidNumber=10000)', `(entryUUID=${alice.attributes.get('entryuuid')?.[0]?.toUpperCase()})`,
  '(createTimestamp=20240102030405.000Z)', '(createTimestamp=20240102040405+0100)', '(ou=users)', '(dc=EXAMPLE)',
  `(member=${ALICE_DN.toUpperCase()})`, `(member=${ALICE_DN.replace(/,/g, ' , ')})`, `(uniqueMember=${ALICE_DN})`,
  '(uid=ali*)', '(uid=*LIC*)', '(uid=*ce)', '(uid=a*i*e)', '(uid=al*li*)', '(displayName=alice l*)', '(displayName=*e l*)',
  '(mail=*@example.com)', '(description=*rabbit*)', '(cn=uid-*)', '(uidNumber=1000*)', '(description=*\\3b*)',
  '(uidNumber>=10000)', '(uidNumber<=9999)', '(uidNumber<=10001)', '(gidNumber>=10001)', '(uidNumber>=-5)',
  '(modifyTimestamp>=20240101000000Z)', '(modifyTimestamp>=20240101000000.0Z)', '(modifyTimestamp>=20240615120000Z)',
  '(modifyTimestamp>=20240615120000.5Z)', '(modifyTimestamp>=202406151300+0100)', '(modifyTimestamp<=20240101000000Z)',
  '(|(createTimestamp>=20240101120000.0Z)(modifyTimestamp>=20240101120000.0Z))',
  '(entryUUID>=1D7E0A9C-0000-0000-0000-000000000000)', '(entryUUID<=3FFFFFFF-0000-0000-0000-000000000000)',
  '(createTimestamp<=20200101000000Z)', '(modifyTimestamp=20200101000000.0Z)', '(!(uid=alice))', '(&(objectClass=person)(!(uidNumber=9)))',
  '(|(uid=bob)(cn=admins))', '(&)', '(|)', '(sn=*)', '(objectClass=*)', '(memberUid=*)', '(uid:caseExactMatch:=alice)',
  '(uid:caseExactMatch:=Alice)', '(uid:=ALICE)', '(ou:dn:=users)', '(ou:dn:=Groups)', '(dc:dn:=EXAMPLE)',
  '(:dn:caseIgnoreMatch:=groups)', '(uid:2.5.13.5:=alice)',
  `(member:distinguishedNameMatch:=${ADMINS_DN})`, `(member:distinguishedNameMatch:=${ALICE_DN.toUpperCase()})`,
];

describe.skipIf(!existsSync(SLAPADD) || !existsSync(SLAPCAT))('filter evaluation agrees with OpenLDAP', () => {
  it('loaded the entries', () => {
    expect(slapdMatches('(objectClass=*)')).toHaveLength(ENTRIES.length);
    expect(bob.attributes.has('sn')).toBe(false);
  });

  it.each(FILTERS)('%s', (filter) => {
    const expected = slapdMatches(filter);
    expect(pgdirMatches(filter)).toEqual(expected);
  });
});
