import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../pgdir-runner.js';
import { SUFFIX, USERS_DN, groupDn } from '../harness.js';
import { ACTIVE_USERNAMES } from '../seed.js';
import { sorted, type DirRef } from './context.js';

/** Debian's python3-ldap3 lives in the system interpreter; a pyenv `python3` first on PATH lacks it. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface Ldap3Entry {
  dn: string;
  attributes: Record<string, unknown[]>;
}

interface Ldap3Output {
  users: Ldap3Entry[];
  named: Ldap3Entry[];
  groups: Ldap3Entry[];
  chain: Ldap3Entry[];
  whoami: string;
}

/** Runs one of the python ldap3 scripts of test/e2e (e.g. `ldap3_check.py`) with its JSON arguments. */
export function runLdap3Script(script: string, args: object): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, [join(REPO, 'test/e2e', script), JSON.stringify(args)], { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

/** DESIGN §3: schema-checking clients (python ldap3) accept every entry. */
export function ldap3Cases(dir: DirRef): void {
  it('python ldap3 with get_info=ALL and schema checking reads users and groups, binds and asks WhoAmI', async () => {
    const alice = dir().user('alice');
    const r = await runLdap3Script('ldap3_check.py', {
      host: '127.0.0.1',
      port: dir().ldapsPort,
      ca_file: dir().caFile,
      admin_dn: dir().adminDn,
      admin_password: dir().adminPassword,
      suffix: SUFFIX,
      user_dn: `uid=alice,${USERS_DN}`,
      user_password: alice.password,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Ldap3Output;
    const uids = (list: Ldap3Entry[]) => sorted(list.map((e) => String(e.attributes['uid']?.[0])));
    expect(uids(out.users)).toEqual(sorted(ACTIVE_USERNAMES));
    expect(uids(out.chain)).toEqual(['alice', 'bob']);
    expect(out.whoami).toBe(`dn:${alice.dn}`);

    const a = out.named[0]?.attributes ?? {};
    expect(out.named.map((e) => e.dn)).toEqual([alice.dn]);
    expect(a['uid']).toEqual(['alice']);
    expect(a['mail']).toEqual(['alice@example.com']);
    // ldap3 formats values by the syntax cn=Subschema gives them: integers, times, booleans.
    expect(a['uidNumber']).toEqual([alice.uidNumber]);
    expect(a['entryUUID']).toEqual([alice.id]);
    expect(String(a['createTimestamp']?.[0])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/);
    expect(a['hasSubordinates']).toEqual([false]);
    expect(a['memberOf']).toEqual(expect.arrayContaining([groupDn('eng'), groupDn('users')]));

    const eng = out.groups.find((g) => g.dn === groupDn('eng'));
    expect(eng?.attributes['cn']).toEqual(['eng']);
    expect(sorted((eng?.attributes['memberUid'] ?? []).map(String))).toEqual(['alice', 'bob']);
    expect(sorted((eng?.attributes['member'] ?? []).map(String))).toEqual(sorted([alice.dn, dir().user('bob').dn]));
  });
}
