import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ldapsearch, resultCode, withClient } from './cases/context.js';
import { E2E_MODES, USERS_DN, startDirectory, type E2eDirectory } from './harness.js';
import { httpLogin } from './seed.js';

/**
 * App passwords (issue 14) through `pgdir serve` on both stores: made over the HTTP API, used by
 * OpenLDAP's ldapwhoami/ldapsearch and by ldapts over TLS, listed and revoked with the CLI through
 * the daemon's control socket.
 */
describe.each(E2E_MODES)('app passwords end to end ($mode)', ({ mode }) => {
  let directory: E2eDirectory | undefined;
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start (see beforeAll)');
    return directory;
  };
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${dir().httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };
  const whoami = (dn: string, password: string) => dir().ldap('ldapwhoami', ['-D', dn, '-w', password]);

  beforeAll(async () => {
    directory = await startDirectory({ mode, plainListener: false });
  }, 120_000);
  afterAll(async () => {
    const exit = await directory?.stop();
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('a new app password binds with ldapwhoami, ldapsearch and ldapts; the CLI lists and revokes it; then 49', async () => {
    const alice = dir().user('alice');
    const token = await httpLogin(dir(), alice);
    const made = await api('POST', '/api/v1/profile/app-passwords', token, { name: 'mail client' });
    expect(made.status).toBe(201);
    const password = made.body?.['password'] as string;
    const id = made.body?.['id'] as string;

    const who = await whoami(`uid=alice,${USERS_DN}`, password);
    expect({ code: who.code, out: who.stdout.trim() }).toEqual({ code: 0, out: `dn:${alice.dn}` });
    const search = await ldapsearch(dir(), { base: USERS_DN, filter: '(uid=alice)', attrs: ['mail'], bind: { dn: `mail=${alice.email},${USERS_DN}`, password } });
    expect(search.code, search.stderr).toBe(0);
    expect(search.entries.map((e) => e.attrs['mail'])).toEqual([['alice@example.com']]);
    expect(await withClient(dir(), { dn: alice.dn, password }, async (c) => (await c.exop('1.3.6.1.4.1.4203.1.11.3')).value)).toBe(`dn:${alice.dn}`);

    const listed = await dir().cli(['users', 'app-passwords', 'alice', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; name: string; lastUsedAt: string | null }[];
    expect(rows.map((r) => [r.id, r.name])).toEqual([[id, 'mail client']]);
    expect(listed.stdout).not.toContain(password);
    const table = await dir().cli(['users', 'app-passwords', 'alice']);
    expect(table.stdout).toMatch(/ID\s+NAME\s+CREATED\s+LAST USED/);

    const revoked = await dir().cli(['users', 'revoke-app-password', 'alice', id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked app password "mail client" (id ${id})`);
    const after = await whoami(`uid=alice,${USERS_DN}`, password);
    expect(after.code).toBe(49);
    expect(after.stderr).not.toContain('additional info');
    expect(await resultCode(withClient(dir(), { dn: alice.dn, password }, async () => undefined))).toBe(49);
    // Her own password is untouched.
    expect((await whoami(`uid=alice,${USERS_DN}`, alice.password)).code).toBe(0);

    const again = await dir().cli(['users', 'revoke-app-password', 'alice', id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`no app password "${id}"`);
  });

  it('a disabled user\'s app password answers 49 until the user is enabled again', async () => {
    const carol = dir().user('carol');
    const token = await httpLogin(dir(), carol);
    const password = (await api('POST', '/api/v1/profile/app-passwords', token, { name: 'nas' })).body?.['password'] as string;
    expect((await whoami(carol.dn, password)).code).toBe(0);
    expect((await dir().cli(['users', 'disable', 'carol'])).code).toBe(0);
    expect((await whoami(carol.dn, password)).code).toBe(49);
    expect((await dir().cli(['users', 'enable', 'carol'])).code).toBe(0);
    await expect.poll(async () => (await whoami(carol.dn, password)).code).toBe(0);
  });

  it('the admin lists a user\'s app passwords over the API and the last use shows', async () => {
    const dave = dir().user('dave');
    const token = await httpLogin(dir(), dave);
    const made = await api('POST', '/api/v1/profile/app-passwords', token, { name: 'calendar' });
    expect((await whoami(dave.dn, made.body?.['password'] as string)).code).toBe(0);
    const admin = await httpLogin(dir(), dir().user('bob'));
    await expect
      .poll(async () => {
        const listed = await api('GET', '/api/v1/users/dave/app-passwords', admin);
        return (listed.body?.['items'] as { lastUsedAt: string | null }[])[0]?.lastUsedAt ?? null;
      })
      .not.toBeNull();
    const plain = await api('GET', '/api/v1/users/dave/app-passwords', await httpLogin(dir(), dir().user('erin')));
    expect(plain.status).toBe(404);
  });
});
