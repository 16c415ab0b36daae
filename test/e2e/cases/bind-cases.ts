import { expect, it } from 'vitest';
import { SUFFIX, USERS_DN } from '../harness.js';
import { ldapsearch, resultCode, withClient, type DirRef } from './context.js';

/** DESIGN §4: every bind spelling, WhoAmI's canonical answer, and every failure code. */
export function bindCases(dir: DirRef): void {
  const whoami = (dn: string, password: string, extra: string[] = []) => dir().ldap('ldapwhoami', [...extra, '-D', dn, '-w', password]);

  it('binds by entry DN and by uid=/cn=/mail= RDNs in any case and spacing; WhoAmI answers the entry DN', async () => {
    const alice = dir().user('alice');
    const forms = [
      alice.dn,
      alice.dn.toUpperCase(),
      `uid=alice,${USERS_DN}`,
      'UID=Alice , OU=Users, DC=Example,DC=COM',
      `cn=alice,${USERS_DN}`,
      `cn=ALICE,${USERS_DN}`,
      `mail=alice@example.com,${USERS_DN}`,
      `mail=Alice@Example.COM,${USERS_DN}`,
      `cn=alice@example.com,${USERS_DN}`,
      `uid=uid-${alice.id},${USERS_DN}`,
    ];
    for (const dn of forms) {
      const r = await whoami(dn, alice.password);
      expect({ dn, code: r.code, out: r.stdout.trim() }).toEqual({ dn, code: 0, out: `dn:${alice.dn}` });
    }
  });

  it('the directory admin binds with the configured secret; WhoAmI names it', async () => {
    const r = await whoami(dir().adminDn, dir().adminPassword);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`dn:${dir().adminDn}`);
    expect((await whoami('CN=Admin, OU=System, DC=example,DC=com', dir().adminPassword)).code).toBe(0);
  });

  it('wrong password, unknown DN, disabled user and wrong admin secret: 49 with an empty message', async () => {
    const cases = [
      [`uid=alice,${USERS_DN}`, 'not-her-password'],
      [dir().user('alice').dn, 'not-her-password'],
      [`uid=nobody,${USERS_DN}`, 'whatever-1'],
      [`cn=uid-00000000-0000-4000-8000-000000000000,${USERS_DN}`, 'whatever-1'],
      [`uid=mallory,${USERS_DN}`, dir().user('mallory').password],
      [dir().adminDn, 'not-the-secret'],
      [`cn=ghost,ou=system,${SUFFIX}`, 'whatever-1'],
      ['cn=alice,dc=elsewhere,dc=org', dir().user('alice').password],
    ] as const;
    for (const [dn, password] of cases) {
      const r = await whoami(dn, password);
      expect({ dn, code: r.code }).toEqual({ dn, code: 49 });
      // ldapwhoami prints "additional info: <diagnosticMessage>" only when the server sent one.
      expect(r.stderr, dn).not.toContain('additional info');
    }
  });

  it('a DN with an empty password is an unauthenticated bind: 53, never a login', async () => {
    const r = await whoami(`uid=alice,${USERS_DN}`, '');
    expect(r.code).toBe(53);
    expect(await withClient(dir(), undefined, (c) => resultCode(c.bind(dir().adminDn, '')))).toBe(53);
  });

  it('a non-critical password-policy control on bind (as SSSD sends) is ignored', async () => {
    const alice = dir().user('alice');
    const r = await whoami(`uid=alice,${USERS_DN}`, alice.password, ['-e', 'ppolicy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`dn:${alice.dn}`);
  });

  it('SASL binds answer 7 authMethodNotSupported', async () => {
    expect(await withClient(dir(), undefined, (c) => resultCode(c.bind('EXTERNAL')))).toBe(7);
    expect(await withClient(dir(), undefined, (c) => resultCode(c.bindSASL('PLAIN', 'alice-pw')))).toBe(7);
  });

  it('anonymous bind succeeds, WhoAmI is empty, but users and groups are hidden (32)', async () => {
    const r = await dir().ldap('ldapwhoami', []);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('anonymous');
    for (const base of [USERS_DN, `ou=groups,${SUFFIX}`, SUFFIX, dir().user('alice').dn]) {
      const s = await ldapsearch(dir(), { base, bind: null, filter: '(objectClass=*)' });
      expect({ base, code: s.code, entries: s.entries.length }).toEqual({ base, code: 32, entries: 0 });
    }
  });

  it('a failed bind leaves the connection anonymous, and a later good bind works on it', async () => {
    const alice = dir().user('alice');
    await withClient(dir(), undefined, async (c) => {
      expect(await resultCode(c.bind(alice.dn, 'wrong-password'))).toBe(49);
      expect((await c.exop('1.3.6.1.4.1.4203.1.11.3')).value ?? '').toBe('');
      await c.bind(`uid=alice,${USERS_DN}`, alice.password);
      expect((await c.exop('1.3.6.1.4.1.4203.1.11.3')).value).toBe(`dn:${alice.dn}`);
    });
  });
}
