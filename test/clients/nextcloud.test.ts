import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/pgdir-process.js';
import { clientMissing, commandWorks, run, SUFFIX, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/nextcloud.md: the `occ ldap:set-config` lines of the page, fed to PHP's ldap
 * extension making user_ldap's calls (test/clients/nextcloud-user-ldap.php).
 */
const missing = clientMissing('PHP ldap', commandWorks('php', ['-r', 'exit(function_exists("ldap_connect") ? 0 : 1);']));

function occSettings(block: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const m of block.matchAll(/^occ ldap:set-config s01 (\S+) (.*)$/gm)) {
    const value = (m[2] ?? '').trim();
    settings[m[1] ?? ''] = value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value;
  }
  return settings;
}

describe.skipIf(missing)('Nextcloud user_ldap calls (PHP ldap) with the documented settings', () => {
  let d: ClientDirectory;
  let configFile: string;
  const php = async (args: string[], input?: string): Promise<unknown> => {
    const r = await run('php', [join(REPO, 'test/clients/nextcloud-user-ldap.php'), configFile, ...args], {
      env: { ...process.env, LDAPTLS_CACERT: d.caFile },
      ...(input === undefined ? {} : { input }),
    });
    if (r.code !== 0) throw new Error(`php exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'nextcloud', groups: { nextcloud: ['alice', 'bob'], eng: ['alice'] } });
    const block = fillIn(docBlock('nextcloud.md', 'nextcloud-occ.sh'), {
      "'ldaps://ldap.example.com'": "'ldaps://127.0.0.1'",
      'ldapPort 636': `ldapPort ${d.port}`,
      'SERVICE-SECRET': d.serviceSecret,
      // One entry a page, so the two members take more than one page.
      'ldapPagingSize 500': 'ldapPagingSize 1',
    });
    configFile = join(d.dir, 'nextcloud-ldap.json');
    await writeFile(configFile, JSON.stringify(occSettings(block)));
  }, 180_000);
  afterAll(async () => d?.stop());

  it('lists exactly the group members, page by page, with the attributes Nextcloud maps', async () => {
    const listed = (await php(['list'])) as { pages: number; users: { dn: string; uid: string; uuid: string; name: string; mail: string; memberof: string[] }[] };
    expect(listed.pages).toBeGreaterThanOrEqual(2);
    const byUid = Object.fromEntries(listed.users.map((u) => [u.uid, u]));
    expect(Object.keys(byUid).sort()).toEqual(['alice', 'bob']);
    expect(byUid['alice']).toMatchObject({ dn: d.users.alice.dn, name: 'Alice Liddell', mail: 'alice@example.com' });
    expect(byUid['alice']?.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(byUid['alice']?.memberof).toContain(`cn=nextcloud,ou=groups,${SUFFIX}`);
    // readAttribute on the DN returns the same UUID (Nextcloud's mapping check).
    expect(await php(['read', d.users.alice.dn, 'entryuuid'])).toEqual([byUid['alice']?.uuid]);
  });

  it('logs a member in by username or email, and refuses a wrong password and a non-member', async () => {
    expect(await php(['login', 'alice'], 'alice-Secret-1\n')).toEqual({ ok: true, dn: d.users.alice.dn, why: '' });
    expect(await php(['login', 'bob@example.com'], 'bob-Secret-1\n')).toMatchObject({ ok: true, dn: d.users.bob.dn });
    expect(await php(['login', 'alice'], 'wrong\n')).toMatchObject({ ok: false, why: 'Invalid credentials' });
    expect(await php(['login', 'carol'], 'carol-Secret-1\n')).toEqual({ ok: false, why: 'found 0' });
    // Filter injection through the login name finds nobody.
    expect(await php(['login', '*'], 'alice-Secret-1\n')).toEqual({ ok: false, why: 'found 0' });
  });

  it('lists the groups with their member DNs (member association)', async () => {
    const groups = (await php(['groups'])) as Record<string, string[]>;
    expect(groups['nextcloud']?.sort()).toEqual([d.users.alice.dn, d.users.bob.dn].sort());
    expect(groups['eng']).toEqual([d.users.alice.dn]);
    expect(groups['users']?.length).toBe(4); // the built-in group: every active user (with ops)
  });
});
