import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMissing, commandWorks, run, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/** docs/clients/home-assistant.md: the page's ldap-auth.sh, run as Home Assistant runs it. */
const missing = clientMissing('ldapsearch', commandWorks('ldapsearch', ['-VV']));

describe.skipIf(missing)('Home Assistant command_line script with ldapsearch', () => {
  let d: ClientDirectory;
  let script: string;
  const login = (username: string, password: string) => run('sh', [script], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', username, password } });

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'unused', groups: { homeassistant: ['alice'] } });
    script = join(d.dir, 'ldap-auth.sh');
    await writeFile(script, fillIn(docBlock('home-assistant.md', 'ldap-auth.sh'), { '/config/pgdir.pem': d.caFile, 'ldaps://ldap.example.com': d.url }));
    await chmod(script, 0o755);
  }, 180_000);
  afterAll(async () => d?.stop());

  it('prints the name of a group member with the right password', async () => {
    const r = await login('alice', 'alice-Secret-1');
    expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: 'name = Alice Liddell\n' });
  });

  it('fails a wrong password, a non-member, an unknown user and a name with filter characters', async () => {
    for (const [who, password] of [['alice', 'wrong-password'], ['bob', 'bob-Secret-1'], ['nobody', 'x'], ['alice)(uid=*', 'alice-Secret-1']] as const) {
      const r = await login(who, password);
      expect({ who, code: r.code, out: r.stdout }).toEqual({ who, code: 1, out: '' });
    }
  });
});
