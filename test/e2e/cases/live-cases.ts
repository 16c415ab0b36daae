import type { Client } from 'ldapts';
import { expect, it } from 'vitest';
import { USERS_DN, groupDn } from '../harness.js';
import { httpLogin } from '../seed.js';
import { resultCode, values, withClient, type DirRef } from './context.js';

/** Polls `probe` every 10 ms for up to `limitMs`; returns how long it took, or undefined. */
async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number | undefined> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > limitMs) return undefined;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * DESIGN §2.3: a change made with the CLI reaches every LDAP view within milliseconds. These run
 * last in a suite: they add a user and change memberships.
 */
export function liveCases(dir: DirRef): void {
  const admin = () => ({ dn: dir().adminDn, password: dir().adminPassword });
  const uidsOf = async (c: Client, filter: string) =>
    (await c.search(USERS_DN, { filter, attributes: ['uid'] })).searchEntries.flatMap((e) => values(e, 'uid'));

  it('a user added with the CLI appears in LDAP within a second and can bind; disabled, disappears within a second', async () => {
    const password = 'Trent-Live-Secret-1';
    const added = await dir().cli(['users', 'add', '--username', 'trent', '--email', 'trent@example.com', '--name', 'Trent Live', '--password-stdin'], `${password}\n`);
    expect(added.code, added.stderr).toBe(0);
    await withClient(dir(), admin(), async (c) => {
      const appeared = await within(1_000, async () => (await uidsOf(c, '(uid=trent)')).length === 1);
      expect(appeared, 'trent never appeared within 1 s').toBeDefined();
    });
    expect(await withClient(dir(), undefined, (c) => resultCode(c.bind(`uid=trent,${USERS_DN}`, password)))).toBe(0);

    const disabled = await dir().cli(['users', 'disable', 'trent']);
    expect(disabled.code, disabled.stderr).toBe(0);
    await withClient(dir(), admin(), async (c) => {
      const gone = await within(1_000, async () => (await uidsOf(c, '(uid=trent)')).length === 0);
      expect(gone, 'trent was still listed 1 s after being disabled').toBeDefined();
      const members = values((await c.search(groupDn('users'), { scope: 'base', attributes: ['memberUid'] })).searchEntries[0], 'memberUid');
      expect(members).not.toContain('trent');
    });
    expect(await withClient(dir(), undefined, (c) => resultCode(c.bind(`uid=trent,${USERS_DN}`, password)))).toBe(49);
  });

  it('a membership added with the CLI shows in member and memberOf within a second', async () => {
    const carol = dir().user('carol');
    const added = await dir().cli(['groups', 'add-member', 'eng', 'carol']);
    expect(added.code, added.stderr).toBe(0);
    await withClient(dir(), admin(), async (c) => {
      const seen = await within(1_000, async () => {
        const eng = (await c.search(groupDn('eng'), { scope: 'base', attributes: ['member'] })).searchEntries[0];
        const self = (await c.search(carol.dn, { scope: 'base', attributes: ['memberOf'] })).searchEntries[0];
        return values(eng, 'member').includes(carol.dn) && values(self, 'memberOf').includes(groupDn('eng'));
      });
      expect(seen, 'carol not in eng over LDAP within 1 s').toBeDefined();
    });
    const removed = await dir().cli(['groups', 'remove-member', 'eng', 'carol']);
    expect(removed.code, removed.stderr).toBe(0);
    await withClient(dir(), admin(), async (c) => {
      const gone = await within(1_000, async () => !(await uidsOf(c, `(memberOf=${groupDn('eng')})`)).includes('carol'));
      expect(gone, 'carol still in eng over LDAP 1 s after removal').toBeDefined();
    });
  });

  it('an invited user is not listed and cannot bind until the invite is accepted, even with a username', async () => {
    const token = await httpLogin(dir(), dir().user('bob'));
    const invite = async (body: object) => {
      const res = await fetch(`${dir().httpUrl}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as { inviteLink: string };
    };
    await invite({ email: 'invitee@example.com', fullName: 'In Vitee' });
    const named = await invite({ username: 'vic', email: 'vic@example.com', fullName: 'Vic Invited' });
    // Changes reach the view in revision order: once a later user shows, the invites have been applied.
    const later = await dir().cli(['users', 'add', '--username', 'uma', '--email', 'uma@example.com', '--password-stdin'], 'Uma-Later-Secret-1\n');
    expect(later.code, later.stderr).toBe(0);
    await withClient(dir(), admin(), async (c) => {
      expect(await within(1_000, async () => (await uidsOf(c, '(uid=uma)')).length === 1)).toBeDefined();
      const found = await c.search(USERS_DN, { filter: '(|(mail=invitee@example.com)(displayName=In Vitee)(uid=vic)(mail=vic@example.com))', attributes: ['mail'] });
      expect(found.searchEntries).toEqual([]);
      const everyone = values((await c.search(groupDn('users'), { scope: 'base', attributes: ['memberUid'] })).searchEntries[0], 'memberUid');
      expect(everyone).not.toContain('vic');
    });

    const password = 'Vic-Accepted-Secret-1';
    const secret = new URL(named.inviteLink).searchParams.get('token');
    const accepted = await fetch(`${dir().httpUrl}/api/v1/auth/invite/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: secret, password }),
    });
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    await withClient(dir(), admin(), async (c) => {
      const shown = await within(1_000, async () => (await uidsOf(c, '(uid=vic)')).length === 1);
      expect(shown, 'vic not listed 1 s after accepting the invite').toBeDefined();
    });
    expect(await withClient(dir(), undefined, (c) => resultCode(c.bind(`uid=vic,${USERS_DN}`, password)))).toBe(0);
    await dir().cli(['users', 'disable', 'uma']);
    await dir().cli(['users', 'disable', 'vic']);
  });
}
