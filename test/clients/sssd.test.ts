import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMissing, fileExists, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/sssd.md: sssd -i (foreground) with the page's sssd.conf, in a private mount
 * namespace (`unshare -m`) where /etc/nsswitch.conf, /etc/pam.d, /etc/sssd, /var/lib/sss,
 * /var/log/sssd and /run come from the test's directory: the machine's own name service, PAM
 * stack and caches are never touched. Needs root (mount namespaces).
 */
const isRoot = process.getuid?.() === 0;
const missing =
  clientMissing('SSSD', fileExists('/usr/lib/x86_64-linux-gnu/sssd/libsss_ldap.so')) ||
  clientMissing('pamtester', fileExists('/usr/bin/pamtester')) ||
  (!isRoot && (console.warn('skipping the SSSD client test: it needs root for a private mount namespace'), true));

function namespaceScript(dir: string, queries: readonly string[]): string {
  return [
    'set -u',
    `cp -a /var/lib/sss/. ${dir}/sss/`,
    `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`,
    `mount --bind ${dir}/etc-sssd /etc/sssd`,
    `mount --bind ${dir}/sss /var/lib/sss`,
    `mount --bind ${dir}/log /var/log/sssd`,
    `mount --bind ${dir}/run /run`,
    `mount --bind ${dir}/pam.d /etc/pam.d`,
    `/usr/sbin/sssd -i -c /etc/sssd/sssd.conf --logger=stderr -d 3 > ${dir}/sssd.log 2>&1 &`,
    'pid=$!',
    // The back end goes online after its first connection; wait until a lookup answers.
    'for _ in $(seq 300); do getent passwd alice >/dev/null && break; sleep 0.2; done',
    ...queries.flatMap((q) => [`{ ${q}; } 2>&1`, 'echo "@@$?"']),
    'kill $pid; wait $pid',
    '',
  ].join('\n');
}

describe.skipIf(missing)('SSSD with the documented sssd.conf (NSS and PAM)', () => {
  let d: ClientDirectory;
  let dir: string;
  let answers: { out: string; rc: number }[];
  let log = '';
  const queries = [
    'getent passwd alice',
    'getent passwd bob',
    'getent group shell',
    'getent group ldap-users',
    'id alice',
    'getent passwd nobody-here',
    "printf 'alice-Secret-1\\n' | pamtester pgdir-test alice authenticate acct_mgmt",
    "printf 'wrong-password\\n' | pamtester pgdir-test alice authenticate",
    "printf 'bob-Secret-1\\n' | pamtester pgdir-test bob authenticate acct_mgmt",
  ];

  beforeAll(async () => {
    // The page's pgdir.yaml (renamed built-in groups), under the test config's own ldap: key.
    const pgdirYaml = docBlock('sssd.md', 'pgdir.yaml').split('\n').slice(1).filter((l) => l.trim() !== '');
    d = await startClientDirectory({ service: 'sssd', groups: { shell: ['alice'] }, ldapExtra: pgdirYaml });
    dir = join(d.dir, 'sssd');
    await chmod(d.caFile, 0o644);
    for (const sub of ['sss', 'log', 'run', 'pam.d', 'etc-sssd']) await mkdir(join(dir, sub), { recursive: true });
    await writeFile(join(dir, 'pam.d', 'pgdir-test'), 'auth required pam_sss.so\naccount required pam_sss.so\n');
    await writeFile(join(dir, 'nsswitch.conf'), docBlock('sssd.md', 'nsswitch.conf'));
    await writeFile(
      join(dir, 'etc-sssd', 'sssd.conf'),
      fillIn(docBlock('sssd.md', 'sssd.conf'), { 'ldaps://ldap.example.com': d.url, '/etc/sssd/pgdir.pem': d.caFile, 'SERVICE-SECRET': d.serviceSecret }),
      { mode: 0o600 },
    );
    const r = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', namespaceScript(dir, queries)]);
    log = `${r.stderr}\n${await run('cat', [join(dir, 'sssd.log')]).then((c) => c.stdout)}`;
    answers = [];
    let rest = r.stdout;
    for (;;) {
      const m = /^([\s\S]*?)@@(\d+)\n/.exec(rest);
      if (m === null) break;
      answers.push({ out: m[1] ?? '', rc: Number(m[2]) });
      rest = rest.slice(m[0].length);
    }
    if (answers.length !== queries.length) throw new Error(`expected ${queries.length} answers:\n${r.stdout}\n${log}`);
  }, 240_000);
  afterAll(async () => d?.stop());

  const answer = (q: string) => answers[queries.indexOf(q)] ?? { out: '', rc: -1 };

  it('getent passwd shows users with uid, primary gid, full name (gecos), home and shell', () => {
    expect(answer('getent passwd alice'), log).toEqual({ out: `alice:*:${d.users.alice.uidNumber}:9000:Alice Liddell:/home/alice:/bin/bash\n`, rc: 0 });
    expect(answer('getent passwd bob').out).toBe(`bob:*:${d.users.bob.uidNumber}:9000:Bob Builder:/home/bob:/bin/bash\n`);
    expect(answer('getent passwd nobody-here')).toEqual({ out: '', rc: 2 });
  });

  it('getent group and id show pgdir groups with member names (rfc2307bis member DNs)', () => {
    expect(answer('getent group shell').out).toMatch(/^shell:\*:\d+:alice\n$/);
    expect(answer('getent group ldap-users').out).toMatch(/^ldap-users:\*:9000:.*alice/);
    const id = answer('id alice').out;
    expect(id).toContain(`uid=${d.users.alice.uidNumber}(alice) gid=9000(ldap-users)`);
    expect(id).toMatch(/groups=.*\(shell\)/);
  });

  it('PAM: the right password of a group member passes, a wrong one and a non-member fail', () => {
    const good = answer("printf 'alice-Secret-1\\n' | pamtester pgdir-test alice authenticate acct_mgmt");
    expect(good.rc, `${good.out}\n${log}`).toBe(0);
    expect(answer("printf 'wrong-password\\n' | pamtester pgdir-test alice authenticate").rc).not.toBe(0);
    const bob = answer("printf 'bob-Secret-1\\n' | pamtester pgdir-test bob authenticate acct_mgmt");
    expect(bob.rc, bob.out).not.toBe(0);
    expect(bob.out).toContain('successfully authenticated'); // the password is right: the access filter refuses him
    expect(bob.out).toContain('Permission denied');
  });
});
