import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/pgdir-process.js';
import { clientMissing, fileExists, readText, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/dovecot.md: Dovecot in the foreground (-F) with its own configuration and base_dir,
 * no mail listeners, the page's dovecot-ldap.conf.ext and passdb/userdb blocks as written.
 */
const missing = clientMissing('Dovecot LDAP', fileExists('/usr/lib/dovecot/modules/auth/libauthdb_ldap.so'));

describe.skipIf(missing)('Dovecot passdb/userdb with the documented LDAP settings', () => {
  let d: ClientDirectory;
  let dovecot: ChildProcess | undefined;
  let conf: string;
  let dir: string;
  const doveadm = (args: string[]) => run('doveadm', ['-c', conf, ...args]);

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'dovecot', groups: { mailusers: ['alice'] } });
    dir = join(d.dir, 'dovecot');
    await chmod(d.dir, 0o755); // the auth process runs as the dovecot user and reads the certificate
    await chmod(d.caFile, 0o644);
    await mkdir(join(dir, 'run'), { recursive: true });
    const ldapConf = join(dir, 'dovecot-ldap.conf.ext');
    await writeFile(
      ldapConf,
      fillIn(docBlock('dovecot.md', 'dovecot-ldap.conf.ext'), {
        'ldaps://ldap.example.com': d.url,
        '/etc/dovecot/pgdir.pem': d.caFile,
        'SERVICE-SECRET': d.serviceSecret,
      }),
      { mode: 0o600 },
    );
    conf = join(dir, 'dovecot.conf');
    await writeFile(
      conf,
      [
        `base_dir = ${dir}/run`,
        `state_dir = ${dir}/state`,
        `log_path = ${dir}/dovecot.log`,
        'protocols =',
        'ssl = no',
        'auth_verbose = yes',
        'auth_debug = yes',
        'auth_failure_delay = 0', // the 2 s delay per failure only slows the test
        fillIn(docBlock('dovecot.md', '10-auth-ldap.conf'), { '/etc/dovecot/dovecot-ldap.conf.ext': ldapConf }),
        '',
      ].join('\n'),
    );
    await mkdir(join(dir, 'state'));
    dovecot = spawn('dovecot', ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    dovecot.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    dovecot.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    // The master creates the auth sockets once its configuration is loaded; doveadm connects to them.
    await waitFor('dovecot auth sockets', async () => {
      if (dovecot?.exitCode !== null) throw new Error(`dovecot exited ${dovecot?.exitCode}: ${out}`);
      return ['auth-client', 'auth-userdb'].every((s) => existsSync(join(dir, 'run', s))) ? true : undefined;
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    if (dovecot !== undefined && dovecot.exitCode === null) {
      const exited = new Promise((resolve) => dovecot?.once('exit', resolve));
      dovecot.kill('SIGTERM');
      await exited;
    }
    await d?.stop();
  });

  it('authenticates a member by binding as them, by username or email', async () => {
    const ok = await doveadm(['auth', 'test', 'alice', 'alice-Secret-1']);
    expect(ok.code, `${ok.stdout}${ok.stderr}\n${await readText(join(dir, 'dovecot.log')).catch(() => '(no dovecot.log)')}`).toBe(0);
    expect(ok.stdout).toContain("passdb: alice auth succeeded");
    const byMail = await doveadm(['auth', 'test', 'alice@example.com', 'alice-Secret-1']);
    expect(byMail.code).toBe(0);
    expect(byMail.stdout).toMatch(/extra fields:\s*\n\s*user=alice/);
  });

  it('refuses a wrong password, a non-member and an unknown user', async () => {
    for (const [who, password] of [['alice', 'wrong-password'], ['bob', 'bob-Secret-1'], ['nobody', 'x-Secret-1']] as const) {
      const r = await doveadm(['auth', 'test', who, password]);
      expect({ who, code: r.code, failed: r.stdout.includes('auth failed') }).toEqual({ who, code: 77, failed: true });
    }
  });

  it('looks up the userdb fields from LDAP (doveadm user) and lists only members', async () => {
    const r = await doveadm(['user', 'alice']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`uid\\s+${d.users.alice.uidNumber}\\b`));
    expect(r.stdout).toMatch(/gid\s+9000\b/);
    expect(r.stdout).toMatch(/home\s+\/home\/alice\b/);
    const bob = await doveadm(['user', 'bob']);
    expect(bob.code).toBe(67); // EX_NOUSER: not in the mail group
    const listed = await doveadm(['user', '-u', '*']);
    expect(listed.stdout.trim().split('\n')).toEqual(['alice']);
  });
});
