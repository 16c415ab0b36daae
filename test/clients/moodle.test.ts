import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/pgdir-process.js';
import { clientMissing, commandWorks, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/** docs/clients/moodle.md: the page's cfg.php settings, used by auth_ldap's calls in PHP (test/clients/moodle-auth-ldap.php). */
const missing = clientMissing('PHP ldap', commandWorks('php', ['-r', 'exit(function_exists("ldap_connect") ? 0 : 1);']));

function cfgSettings(block: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const m of block.matchAll(/--name=(\S+) --set=(.*)$/gm)) {
    const value = (m[2] ?? '').trim();
    settings[m[1] ?? ''] = value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value;
  }
  return settings;
}

describe.skipIf(missing)('Moodle auth_ldap calls (PHP ldap) with the documented settings', () => {
  let d: ClientDirectory;
  let configFile: string;
  const php = async (args: string[], input?: string): Promise<Record<string, unknown>> => {
    const r = await run('php', [join(REPO, 'test/clients/moodle-auth-ldap.php'), configFile, ...args], {
      env: { ...process.env, LDAPTLS_CACERT: d.caFile },
      ...(input === undefined ? {} : { input }),
    });
    if (r.code !== 0) throw new Error(`php exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'moodle', groups: { moodle: ['alice', 'bob'], 'moodle-creators': ['alice'] } });
    const block = fillIn(docBlock('moodle.md', 'moodle-cfg.sh'), { 'ldaps://ldap.example.com': d.url, 'SERVICE-SECRET': d.serviceSecret });
    configFile = join(d.dir, 'moodle-ldap.json');
    await writeFile(configFile, JSON.stringify(cfgSettings(block)));
  }, 180_000);
  afterAll(async () => d?.stop());

  it('logs in a member with the right password and refuses a wrong one and a non-member', async () => {
    expect(await php(['login', 'alice'], 'alice-Secret-1\n')).toEqual({ dn: d.users.alice.dn, ok: true });
    expect(await php(['login', 'alice'], 'wrong-password\n')).toEqual({ dn: d.users.alice.dn, ok: false });
    expect(await php(['login', 'carol'], 'carol-Secret-1\n')).toEqual({ dn: false });
    expect(await php(['login', 'a*'], 'alice-Secret-1\n')).toEqual({ dn: false });
  });

  it('reads the mapped profile fields and tells course creators apart', async () => {
    expect(await php(['info', 'bob'])).toEqual({ dn: d.users.bob.dn, firstname: 'Bob', lastname: 'Builder', email: 'bob@example.com' });
    expect(await php(['creator', 'alice'])).toEqual({ dn: d.users.alice.dn, creator: true });
    expect(await php(['creator', 'bob'])).toEqual({ dn: d.users.bob.dn, creator: false });
  });
});
