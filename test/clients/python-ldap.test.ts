import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMissing, commandWorks, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/** docs/clients/python-ldap.md: its check_login.py, run by python-ldap against a real pgdir serve. */
const missing = clientMissing('python-ldap', commandWorks('/usr/bin/python3', ['-c', 'import ldap']));

describe.skipIf(missing)('python-ldap with the documented login script', () => {
  let d: ClientDirectory;
  let script: string;
  const login = (who: string, password: string) => run('/usr/bin/python3', [script, who], { input: `${password}\n` });

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'webapp', groups: { webapp: ['alice'] } });
    const secretFile = join(d.dir, 'ldap-secret');
    await writeFile(secretFile, `${d.serviceSecret}\n`);
    script = join(d.dir, 'check_login.py');
    await writeFile(
      script,
      fillIn(docBlock('python-ldap.md', 'check_login.py'), {
        'ldaps://ldap.example.com': d.url,
        '/etc/ssl/certs/pgdir.pem': d.caFile,
        '/etc/webapp/ldap-secret': secretFile,
      }),
    );
  }, 120_000);
  afterAll(async () => d?.stop());

  it('lets a member in with the right password, by username or email, over verified LDAPS', async () => {
    const byName = await login('alice', 'alice-Secret-1');
    expect(byName.stderr).toBe('');
    expect(byName.stdout).toBe(`${d.users.alice.dn} alice Alice Liddell\n`);
    expect(byName.code).toBe(0);
    const byMail = await login('ALICE@example.com', 'alice-Secret-1');
    expect(byMail.stdout).toBe(`${d.users.alice.dn} alice Alice Liddell\n`);
  });

  it('denies a wrong password, an empty one, an unknown user and a user outside the group', async () => {
    for (const [who, password] of [
      ['alice', 'wrong-password'],
      ['alice', ''],
      ['nobody', 'alice-Secret-1'],
      ['bob', 'bob-Secret-1'],
    ] as const) {
      const r = await login(who, password);
      expect({ who, password, out: r.stdout, code: r.code }).toEqual({ who, password, out: 'denied\n', code: 1 });
    }
  });

  it('refuses the server when the CA file is not the one pgdir certificate printed', async () => {
    const other = join(d.dir, 'other-ca.pem');
    const key = join(d.dir, 'other-key.pem');
    const made = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', other, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1']);
    expect(made.code).toBe(0);
    const wrongCa = join(d.dir, 'check_login_wrong_ca.py');
    await writeFile(wrongCa, fillIn(docBlock('python-ldap.md', 'check_login.py'), { 'ldaps://ldap.example.com': d.url, '/etc/ssl/certs/pgdir.pem': other, '/etc/webapp/ldap-secret': join(d.dir, 'ldap-secret') }));
    const r = await run('/usr/bin/python3', [wrongCa, 'alice'], { input: 'alice-Secret-1\n' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SERVER_DOWN|certificate verify failed/);
  });
});
