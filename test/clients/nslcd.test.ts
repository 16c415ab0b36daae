import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMissing, fileExists, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/nslcd.md: nslcd in the foreground (-d) with the page's nslcd.conf and
 * nsswitch.conf, in a private mount namespace (`unshare -m`) where those two files, /run and
 * /etc/pam.d are bind-mounted from the test's directory: the machine's own name service, PAM
 * stack and any nslcd it runs are never touched. Needs root (mount namespaces).
 */
const isRoot = process.getuid?.() === 0;
const missing =
  clientMissing('nslcd', fileExists('/usr/sbin/nslcd')) ||
  clientMissing('pamtester', fileExists('/usr/bin/pamtester')) ||
  (!isRoot && (console.warn('skipping the nslcd client test: it needs root for a private mount namespace'), true));

/** One shell run inside the namespace: start nslcd, run each query, print `@@<rc>` after each. */
function namespaceScript(dir: string, queries: readonly string[]): string {
  return [
    'set -u',
    `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`,
    `mount --bind ${dir}/nslcd.conf /etc/nslcd.conf`,
    `mount --bind ${dir}/run /run`,
    `mount --bind ${dir}/pam.d /etc/pam.d`,
    'mkdir -p /run/nslcd && chown nslcd:nslcd /run/nslcd',
    `/usr/sbin/nslcd -d > ${dir}/nslcd.log 2>&1 &`,
    'pid=$!',
    'for _ in $(seq 300); do [ -S /run/nslcd/socket ] && break; sleep 0.1; done',
    ...queries.flatMap((q) => [`{ ${q}; } 2>&1`, 'echo "@@$?"']),
    'kill $pid; wait $pid',
    '',
  ].join('\n');
}

describe.skipIf(missing)('nslcd with the documented settings (NSS and PAM)', () => {
  let d: ClientDirectory;
  let dir: string;
  let answers: { out: string; rc: number }[];
  let log = '';
  const queries = [
    'getent passwd alice',
    'getent passwd 10000-or-alice-uid',
    'getent group shell',
    'getent group ldap-users',
    'getent group users',
    'id alice',
    'getent passwd nobody-here',
    "printf 'alice-Secret-1\\n' | pamtester pgdir-test alice authenticate acct_mgmt",
    "printf 'wrong-password\\n' | pamtester pgdir-test alice authenticate",
    "printf 'bob-Secret-1\\n' | pamtester pgdir-test bob authenticate acct_mgmt",
  ];

  beforeAll(async () => {
    const pgdirYaml = docBlock('nslcd.md', 'pgdir.yaml').split('\n').slice(1).filter((l) => l.trim() !== '');
    d = await startClientDirectory({ service: 'nslcd', groups: { shell: ['alice'] }, ldapExtra: pgdirYaml });
    dir = join(d.dir, 'nslcd');
    await chmod(d.dir, 0o755); // nslcd drops to the nslcd user before it reads the certificate
    await chmod(d.caFile, 0o644);
    await mkdir(join(dir, 'run'), { recursive: true });
    await mkdir(join(dir, 'pam.d'));
    // What pam-auth-update writes for pam_ldap, as its own service for pamtester.
    await writeFile(join(dir, 'pam.d', 'pgdir-test'), 'auth required pam_ldap.so\naccount required pam_ldap.so\n');
    await writeFile(join(dir, 'nsswitch.conf'), docBlock('nslcd.md', 'nsswitch.conf'));
    await writeFile(
      join(dir, 'nslcd.conf'),
      fillIn(docBlock('nslcd.md', 'nslcd.conf'), { 'ldaps://ldap.example.com': d.url, '/etc/nslcd-pgdir.pem': d.caFile, 'SERVICE-SECRET': d.serviceSecret }),
      { mode: 0o600 },
    );
    const list = queries.map((q) => q.replace('10000-or-alice-uid', String(d.users.alice.uidNumber)));
    const r = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', namespaceScript(dir, list)]);
    log = `${r.stderr}\n${await run('cat', [join(dir, 'nslcd.log')]).then((c) => c.stdout)}`;
    answers = [];
    let rest = r.stdout;
    for (;;) {
      const m = /^([\s\S]*?)@@(\d+)\n/.exec(rest);
      if (m === null) break;
      answers.push({ out: m[1] ?? '', rc: Number(m[2]) });
      rest = rest.slice(m[0].length);
    }
    if (answers.length !== queries.length) throw new Error(`expected ${queries.length} answers:\n${r.stdout}\n${log}`);
  }, 180_000);
  afterAll(async () => d?.stop());

  const answer = (q: string) => answers[queries.indexOf(q)] ?? { out: '', rc: -1 };

  it('getent passwd shows the user with uid, primary gid, full name (gecos), home and shell', () => {
    const alice = d.users.alice;
    const line = `alice:*:${alice.uidNumber}:9000:Alice Liddell:/home/alice:/bin/bash\n`;
    expect(answer('getent passwd alice'), log).toEqual({ out: line, rc: 0 });
    expect(answer('getent passwd 10000-or-alice-uid')).toEqual({ out: line, rc: 0 });
    expect(answer('getent passwd nobody-here')).toEqual({ out: '', rc: 2 });
  });

  it('getent group and id show pgdir groups, with the renamed built-in beside the local users group', () => {
    expect(answer('getent group shell').out).toMatch(/^shell:\*:\d+:alice\n$/);
    expect(answer('getent group ldap-users').out).toMatch(/^ldap-users:\*:9000:(\w+,)*alice(,\w+)*\n$/);
    // The local group still answers for "users": the clash the rename avoids.
    expect(answer('getent group users').out).toBe('users:x:100:\n');
    const id = answer('id alice').out;
    expect(id).toContain(`uid=${d.users.alice.uidNumber}(alice) gid=9000(ldap-users)`);
    expect(id).toMatch(/groups=.*\(shell\)/);
  });

  it('PAM: the right password of a group member passes, a wrong one and a non-member fail', () => {
    const good = answer("printf 'alice-Secret-1\\n' | pamtester pgdir-test alice authenticate acct_mgmt");
    expect(good.rc, `${good.out}\n${log}`).toBe(0);
    expect(answer("printf 'wrong-password\\n' | pamtester pgdir-test alice authenticate").rc).not.toBe(0);
    // bob's password is right, but pam_authz_search (the shell group) refuses his account.
    const bob = answer("printf 'bob-Secret-1\\n' | pamtester pgdir-test bob authenticate acct_mgmt");
    expect(bob.rc, bob.out).not.toBe(0);
    expect(bob.out).toContain('successfully authenticated');
    expect(bob.out).toContain('Permission denied');
  });
});
