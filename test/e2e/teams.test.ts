import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ldapsearch, sorted } from './cases/context.js';
import { runLdap3Script } from './cases/ldap3-cases.js';
import { E2E_MODES, startDirectory, SUFFIX, type E2eDirectory } from './harness.js';

/**
 * Issue 13 end to end: teams and grants made with the CLI through the daemon's control socket,
 * read back over LDAPS with ldapsearch (derived groups, memberOf filters) and python ldap3 with
 * schema checks; renames and deletes seen over LDAP. Seed: eng {alice, bob}, ops {carol, dave}.
 */
const T = `ou=teams,${SUFFIX}`;

async function within(limitMs: number, probe: () => Promise<boolean>): Promise<boolean> {
  const start = Date.now();
  while (Date.now() - start <= limitMs) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe.each(E2E_MODES)('teams end to end ($mode)', ({ mode }) => {
  let directory: E2eDirectory | undefined;
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start');
    return directory;
  };
  const cli = async (...args: string[]) => dir().cli(args);
  const uids = async (filter: string, base = `ou=users,${SUFFIX}`) => sorted((await ldapsearch(dir(), { base, filter, attrs: ['uid'] })).entries.flatMap((e) => e.attrs['uid'] ?? []));
  const memberUids = async (cn: string) => sorted((await ldapsearch(dir(), { base: `cn=${cn},${T}`, extra: ['-s', 'base'], attrs: ['memberUid'] })).entries.flatMap((e) => e.attrs['memberUid'] ?? []));

  beforeAll(async () => {
    directory = await startDirectory({ mode, plainListener: false });
  }, 300_000);
  afterAll(async () => {
    const exit = await directory?.stop();
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('manages teams and grants with the CLI, with clear errors', { timeout: 180_000 }, async () => {
    expect((await cli('teams', 'add', 'web', '--description', 'Web team')).code).toBe(0);
    const dup = await cli('teams', 'add', 'WEB');
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/already taken/);
    const bad = await cli('teams', 'grant', 'web', 'alice', 'boss');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/viewer, user, editor, publisher, admin/);
    expect((await cli('teams', 'grant', 'web', 'nobody', 'user')).code).not.toBe(0);
    for (const args of [['web', 'alice', 'publisher'], ['web', '@eng', 'editor'], ['web', '--everyone', 'viewer'], ['--org', 'carol', 'admin']]) {
      const r = await cli('teams', 'grant', ...args);
      expect(r.code, r.stderr).toBe(0);
    }
    const list = await cli('teams', 'list', '--json');
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'web', description: 'Web team', grants: expect.arrayContaining([expect.objectContaining({ level: 'publisher', principal: expect.objectContaining({ name: 'alice' }) })]) }]);
    const perms = await cli('users', 'permissions', 'bob', '--json');
    expect(JSON.parse(perms.stdout)).toMatchObject({ organization: null, teams: [{ team: { name: 'web' }, level: 'editor', because: [{ principal: { type: 'group', name: 'eng' } }] }] });
    const table = await cli('users', 'permissions', 'carol');
    expect(table.stdout).toMatch(/\(organization\)\s+admin/);
  });

  it('serves the derived groups and memberOf over LDAPS (ldapsearch)', async () => {
    expect(await within(2_000, async () => (await memberUids('web.editor')).length === 3)).toBe(true);
    // Everyone: every listed user.
    expect(await memberUids('web.viewer')).toEqual(await uids('(uid=*)'));
    expect(await memberUids('web.editor')).toEqual(['alice', 'bob', 'carol']);
    expect(await memberUids('web.publisher')).toEqual(['alice', 'carol']);
    expect(await memberUids('web.admin')).toEqual(['carol']);
    expect(await memberUids('organization.admin')).toEqual(['carol']);
    expect(await uids(`(memberOf=cn=web.editor,${T})`)).toEqual(['alice', 'bob', 'carol']);
    const team = (await ldapsearch(dir(), { base: `cn=web,${T}`, extra: ['-s', 'base'] })).entries[0];
    expect(team?.attrs).toMatchObject({ objectClass: ['top', 'organizationalUnit', 'pgdirTeam'], cn: ['web'], description: ['Web team'] });
  });

  it('passes python ldap3 with schema checks', async () => {
    const d = dir();
    const args = { host: '127.0.0.1', port: d.ldapsPort, ca_file: d.caFile, admin_dn: d.adminDn, admin_password: d.adminPassword, suffix: SUFFIX };
    const out = await runLdap3Script('ldap3_teams.py', args);
    expect(out.code, out.stderr).toBe(0);
    const parsed = JSON.parse(out.stdout) as { teams: { dn: string }[]; editors: { attributes: { uid: string[] } }[] };
    expect(parsed.teams.map((e) => e.dn)).toContain(`cn=web.publisher,${T}`);
    expect(parsed.editors.map((e) => e.attributes.uid[0]).sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it('moves renamed teams and drops deleted ones over LDAP; revokes take effect', { timeout: 120_000 }, async () => {
    expect((await cli('teams', 'rename', 'web', 'site')).code).toBe(0);
    expect(await within(2_000, async () => (await memberUids('site.editor')).length === 3)).toBe(true);
    expect((await ldapsearch(dir(), { base: `cn=web.editor,${T}`, extra: ['-s', 'base'] })).code).toBe(32);
    expect((await cli('teams', 'revoke', '--org', 'carol')).code).toBe(0);
    expect(await within(2_000, async () => (await memberUids('site.admin')).length === 0)).toBe(true);
    expect((await cli('teams', 'delete', 'site')).code).toBe(0);
    expect(await within(2_000, async () => (await uids(`(memberOf=cn=site.viewer,${T})`)).length === 0)).toBe(true);
    expect((await ldapsearch(dir(), { base: T, extra: ['-s', 'one'], attrs: ['cn'] })).entries.map((e) => e.dn)).toEqual([]);
  });
});
