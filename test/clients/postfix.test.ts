import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMissing, fileExists, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/postfix.md: `postmap -q` on the page's three ldap tables (no Postfix daemon runs;
 * postmap does the lookup itself, with a private, empty configuration directory).
 */
const missing = clientMissing('Postfix ldap tables', fileExists('/usr/lib/postfix/postfix-ldap.so'));

describe.skipIf(missing)('Postfix ldap tables with the documented settings', () => {
  let d: ClientDirectory;
  let confDir: string;
  const query = async (key: string, table: string): Promise<{ code: number | null; out: string; err: string }> => {
    const r = await run('postmap', ['-c', confDir, '-q', key, `ldap:${join(confDir, table)}`]);
    return { code: r.code, out: r.stdout.trim(), err: r.stderr };
  };

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'postfix', groups: { mailusers: ['alice'], eng: ['alice', 'bob'] } });
    confDir = join(d.dir, 'postfix');
    await mkdir(confDir);
    await writeFile(join(confDir, 'main.cf'), 'compatibility_level = 3.6\nmaillog_file = /dev/stdout\n');
    for (const table of ['ldap-mailboxes.cf', 'ldap-groups.cf', 'ldap-senders.cf']) {
      await writeFile(
        join(confDir, table),
        fillIn(docBlock('postfix.md', table), {
          'ldaps://ldap.example.com:636': `ldaps://127.0.0.1:${d.port}`,
          '/etc/postfix/pgdir.pem': d.caFile,
          'SERVICE-SECRET': d.serviceSecret,
        }),
      );
    }
  }, 180_000);
  afterAll(async () => d?.stop());

  it('finds the mailbox of a member of mailusers, and none for others', async () => {
    expect(await query('alice@example.com', 'ldap-mailboxes.cf')).toMatchObject({ code: 0, out: 'alice/Maildir/' });
    expect(await query('ALICE@Example.com', 'ldap-mailboxes.cf')).toMatchObject({ code: 0, out: 'alice/Maildir/' });
    // bob exists but is not in mailusers; nobody does not exist: "not found" is exit 1, no output.
    expect(await query('bob@example.com', 'ldap-mailboxes.cf')).toMatchObject({ code: 1, out: '' });
    expect(await query('nobody@example.com', 'ldap-mailboxes.cf')).toMatchObject({ code: 1, out: '' });
  });

  it('expands a group address to its members by following the member DNs', async () => {
    const r = await query('eng@example.com', 'ldap-groups.cf');
    expect(r.code, r.err).toBe(0);
    expect(r.out.split(',').sort()).toEqual(['alice@example.com', 'bob@example.com']);
    expect(await query('eng@elsewhere.org', 'ldap-groups.cf')).toMatchObject({ code: 1, out: '' });
    expect(await query('nosuchgroup@example.com', 'ldap-groups.cf')).toMatchObject({ code: 1, out: '' });
  });

  it('maps a sender address to the login allowed to use it', async () => {
    expect(await query('carol@example.com', 'ldap-senders.cf')).toMatchObject({ code: 0, out: 'carol' });
    expect(await query('nobody@example.com', 'ldap-senders.cf')).toMatchObject({ code: 1, out: '' });
  });
});
