import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/pgdir-process.js';
import { clientMissing, commandWorks, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/proxmox.md: the page's domains.cfg realm, used by Perl's Net::LDAP making
 * PVE::LDAP's calls (test/clients/proxmox-net-ldap.pl).
 */
const missing = clientMissing('Perl Net::LDAP', commandWorks('perl', ['-MNet::LDAP', '-MIO::Socket::SSL', '-e1']));

describe.skipIf(missing)('Proxmox realm calls (Net::LDAP) with the documented domains.cfg', () => {
  let d: ClientDirectory;
  let cfg: string;
  let pw: string;
  const perl = async (args: string[], input?: string): Promise<Record<string, unknown>> => {
    const r = await run('perl', [join(REPO, 'test/clients/proxmox-net-ldap.pl'), cfg, pw, ...args], input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`perl exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'proxmox', groups: { proxmox: ['alice', 'bob'], eng: ['alice', 'carol'] } });
    cfg = join(d.dir, 'domains.cfg');
    pw = join(d.dir, 'example.pw');
    await writeFile(pw, `${d.serviceSecret}\n`);
    await writeFile(
      cfg,
      fillIn(docBlock('proxmox.md', 'domains.cfg'), {
        'server1 ldap.example.com': 'server1 127.0.0.1',
        'port 636': `port ${d.port}`,
        '/etc/pve/priv/pgdir.pem': d.caFile,
      }),
    );
  }, 180_000);
  afterAll(async () => d?.stop());

  it('logs in a member of the realm group and refuses a wrong password and a non-member', async () => {
    expect(await perl(['login', 'alice'], 'alice-Secret-1\n')).toEqual({ ok: true, dn: d.users.alice.dn, why: '' });
    const wrong = await perl(['login', 'alice'], 'nope\n');
    expect(wrong).toMatchObject({ ok: false });
    expect(String(wrong['why'])).toMatch(/invalid credentials/i);
    expect(await perl(['login', 'carol'], 'carol-Secret-1\n')).toEqual({ ok: false, why: 'found 0' });
  });

  it('syncs exactly the realm group members, paged, with mapped attributes, and their groups', async () => {
    const synced = await perl(['sync']);
    expect(synced['pages']).toBeGreaterThanOrEqual(2);
    expect(synced['users']).toEqual({
      alice: { dn: d.users.alice.dn, email: 'alice@example.com', firstname: 'Alice', lastname: 'Liddell' },
      bob: { dn: d.users.bob.dn, email: 'bob@example.com', firstname: 'Bob', lastname: 'Builder' },
    });
    const groups = synced['groups'] as Record<string, string[]>;
    expect(groups['proxmox']).toEqual([d.users.alice.dn, d.users.bob.dn].sort());
    expect(groups['eng']).toEqual([d.users.alice.dn]); // carol is not a synced user
  });

  it('refuses the server with verify 1 when the CA file is another certificate', async () => {
    const other = join(d.dir, 'other.pem');
    const made = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(d.dir, 'other.key'), '-out', other, '-days', '1', '-subj', '/CN=localhost']);
    expect(made.code).toBe(0);
    const wrongCfg = join(d.dir, 'domains-wrong-ca.cfg');
    await writeFile(wrongCfg, fillIn(docBlock('proxmox.md', 'domains.cfg'), { 'server1 ldap.example.com': 'server1 127.0.0.1', 'port 636': `port ${d.port}`, '/etc/pve/priv/pgdir.pem': other }));
    const r = await run('perl', [join(REPO, 'test/clients/proxmox-net-ldap.pl'), wrongCfg, pw, 'login', 'alice'], { input: 'alice-Secret-1\n' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate verify failed|SSL connect attempt failed/);
  });
});
