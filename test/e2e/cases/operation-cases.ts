import { Attribute, Change } from 'ldapts';
import { expect, it } from 'vitest';
import { GROUPS_DN, USERS_DN } from '../harness.js';
import { resultCode, values, withClient, type DirRef } from './context.js';

/** DESIGN §5: Compare, Password Modify (RFC 3062), writes refused with 53, StartTLS. */
export function operationCases(dir: DirRef): void {
  const admin = () => ['-D', dir().adminDn, '-w', dir().adminPassword];
  const compare = (dn: string, assertion: string, bind = admin()) => dir().ldap('ldapcompare', [...bind, dn, assertion]);
  /** ldappasswd exits 1 on any failure; the LDAP code is in its `Result: <text> (<code>)` line. */
  const passwdCode = (r: { code: number; stdout: string; stderr: string }): number =>
    r.code === 0 ? 0 : Number(/Result: .*\((\d+)\)/.exec(r.stdout + r.stderr)?.[1] ?? -1);
  const bindCode = (dn: string, password: string) => withClient(dir(), undefined, (c) => resultCode(c.bind(dn, password)));

  it('Compare: 6 compareTrue, 5 compareFalse, 32 for an unknown entry, with filter matching rules', async () => {
    const alice = dir().user('alice');
    const cases: [string, string, number][] = [
      [alice.dn, 'uid:alice', 6],
      [alice.dn, 'uid:ALICE', 6],
      [alice.dn, 'uid:bob', 5],
      [alice.dn, 'objectClass:inetorgperson', 6],
      [alice.dn, `uidNumber:${alice.uidNumber}`, 6],
      [alice.dn, `entryUUID:${alice.id.toUpperCase()}`, 6],
      [alice.dn, 'mail:ALICE@example.com', 6],
      [`uid=alice,${USERS_DN}`, 'uid:alice', 6],
      [`cn=eng,${GROUPS_DN}`, `member:uid=alice,${USERS_DN}`, 6],
      [`cn=eng,${GROUPS_DN}`, `uniqueMember:${alice.dn.toUpperCase()}`, 6],
      [`cn=eng,${GROUPS_DN}`, `member:${dir().user('carol').dn}`, 5],
      [`cn=eng,${GROUPS_DN}`, 'memberUid:bob', 6],
      [`cn=uid-00000000-0000-4000-8000-000000000000,${USERS_DN}`, 'uid:alice', 32],
      [`cn=nope,${GROUPS_DN}`, 'cn:nope', 32],
    ];
    const got: [string, string, number][] = [];
    for (const [dn, assertion] of cases) got.push([dn, assertion, (await compare(dn, assertion)).code]);
    expect(got).toEqual(cases);
    const t = await compare(alice.dn, 'uid:alice');
    expect(t.stdout.trim()).toBe('TRUE');
    expect((await compare(alice.dn, 'uid:bob')).stdout.trim()).toBe('FALSE');
  });

  it('Password Modify: a user changes their own password with the old one; a wrong old one changes nothing', async () => {
    const erin = dir().user('erin');
    const wrong = await dir().ldap('ldappasswd', ['-D', erin.dn, '-w', erin.password, '-a', 'not-the-old-one', '-s', 'Erin-Other-2']);
    expect(passwdCode(wrong)).toBeGreaterThan(0);
    expect(await bindCode(erin.dn, 'Erin-Other-2')).toBe(49);
    const tooShort = await dir().ldap('ldappasswd', ['-D', erin.dn, '-w', erin.password, '-a', erin.password, '-s', 'short']);
    expect(passwdCode(tooShort)).toBeGreaterThan(0);
    expect(await bindCode(erin.dn, erin.password)).toBe(0);

    const next = 'Erin-New-Secret-2';
    const r = await dir().ldap('ldappasswd', ['-D', `uid=erin,${USERS_DN}`, '-w', erin.password, '-a', erin.password, '-s', next]);
    expect(r.code, r.stderr).toBe(0);
    const old = erin.password;
    erin.password = next;
    expect(await bindCode(erin.dn, next)).toBe(0);
    expect(await bindCode(erin.dn, old)).toBe(49);
  });

  it('Password Modify: the admin sets another user\'s password; pwdChangedTime and modifyTimestamp move', async () => {
    const dave = dir().user('dave');
    const stamps = () => withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, async (c) => {
      const e = (await c.search(dave.dn, { scope: 'base', attributes: ['pwdChangedTime', 'modifyTimestamp'] })).searchEntries[0];
      return { pwd: values(e, 'pwdChangedTime')[0] ?? '', mod: values(e, 'modifyTimestamp')[0] ?? '' };
    });
    const before = await stamps();
    await new Promise((r) => setTimeout(r, 1_100 - (Date.now() % 1_000))); // into the next second: stamps have 1 s resolution
    const next = 'Dave-Admin-Set-3';
    const r = await dir().ldap('ldappasswd', [...admin(), '-s', next, dave.dn]);
    expect(r.code, r.stderr).toBe(0);
    dave.password = next;
    expect(await bindCode(`uid=dave,${USERS_DN}`, next)).toBe(0);
    const after = await stamps();
    expect(after.pwd > before.pwd, `pwdChangedTime ${before.pwd} -> ${after.pwd}`).toBe(true);
    expect(after.mod > before.mod, `modifyTimestamp ${before.mod} -> ${after.mod}`).toBe(true);
  });

  it('Password Modify: the admin without a new password gets a generated one that works', async () => {
    const dave = dir().user('dave');
    const r = await dir().ldap('ldappasswd', [...admin(), dave.dn]);
    expect(r.code, r.stderr).toBe(0);
    const generated = /^New password: (.+)$/m.exec(r.stdout)?.[1];
    expect(generated, r.stdout).toBeDefined();
    expect(await bindCode(dave.dn, generated ?? '')).toBe(0);
    expect(await bindCode(dave.dn, dave.password)).toBe(49);
    dave.password = generated ?? '';
  });

  it('Password Modify: a plain user on someone else\'s entry gets 50 and nothing changes', async () => {
    const alice = dir().user('alice');
    const carol = dir().user('carol');
    const r = await dir().ldap('ldappasswd', ['-D', alice.dn, '-w', alice.password, '-s', 'Carol-Hijacked-9', carol.dn]);
    expect(passwdCode(r), r.stdout + r.stderr).toBe(50);
    expect(await bindCode(carol.dn, carol.password)).toBe(0);
    expect(await bindCode(carol.dn, 'Carol-Hijacked-9')).toBe(49);
  });

  it('Add, Modify, Delete and ModifyDN answer 53 unwillingToPerform, even for the admin', async () => {
    const alice = dir().user('alice').dn;
    const codes = await withClient(dir(), { dn: dir().adminDn, password: dir().adminPassword }, async (c) => [
      await resultCode(c.add(`cn=new,${USERS_DN}`, { objectClass: ['top', 'person'], cn: 'new', sn: 'new' })),
      await resultCode(c.modify(alice, new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['X'] }) }))),
      await resultCode(c.del(alice)),
      await resultCode(c.modifyDN(alice, 'cn=renamed')),
    ]);
    expect(codes).toEqual([53, 53, 53, 53]);
  });

  it('StartTLS works on the plain listener (ldapwhoami -ZZ) and answers 1 on ldaps://, keeping the connection', async () => {
    const alice = dir().user('alice');
    const url = dir().ldapUrl;
    expect(url).toBeDefined();
    const r = await dir().ldap('ldapwhoami', ['-H', url ?? '', '-ZZ', '-D', `uid=alice,${USERS_DN}`, '-w', alice.password]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`dn:${alice.dn}`);
    await withClient(dir(), undefined, async (c) => {
      expect(await resultCode(c.startTLS({ ca: [dir().ca] }))).toBe(1);
      await c.bind(alice.dn, alice.password);
      expect((await c.exop('1.3.6.1.4.1.4203.1.11.3')).value).toBe(`dn:${alice.dn}`);
    });
  });
}
