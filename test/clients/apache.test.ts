import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/pgdir-process.js';
import { clientMissing, fileExists, readText, startClientDirectory, type ClientDirectory } from './client-directory.js';
import { docBlock, fillIn } from './doc-block.js';

/**
 * docs/clients/apache.md: Apache 2.4 in the foreground on a loopback port, its own server root
 * and runtime directory, the page's pgdir-ldap.conf included as written (paths and port filled in).
 */
const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const missing = clientMissing('Apache mod_authnz_ldap', fileExists(`${MODULES}/mod_authnz_ldap.so`));

function httpdConf(dir: string, port: number): string {
  const mods = ['mpm_prefork', 'authz_core', 'authn_core', 'auth_basic', 'authz_user', 'ldap', 'authnz_ldap'];
  return [
    `ServerRoot ${dir}`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    ...mods.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    `PidFile ${dir}/httpd.pid`,
    `DefaultRuntimeDir ${dir}/run`,
    `ErrorLog ${dir}/error.log`,
    'LogLevel warn authnz_ldap:debug ldap:debug',
    ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
    `DocumentRoot ${dir}/htdocs`,
    `<Directory ${dir}/htdocs>`,
    '    Require all granted',
    '</Directory>',
    `Include ${dir}/pgdir-ldap.conf`,
    '',
  ].join('\n');
}

describe.skipIf(missing)('Apache mod_authnz_ldap with the documented configuration', () => {
  let d: ClientDirectory;
  let apache: ChildProcess | undefined;
  let base: string;
  let apacheDir: string;
  const get = (user?: string, password?: string) =>
    fetch(`${base}/private/index.html`, user === undefined ? {} : { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });

  beforeAll(async () => {
    d = await startClientDirectory({ service: 'apache', groups: { web: ['alice'] } });
    // The workers run as www-data: they read the certificate (as the page says), the tree must let them.
    apacheDir = join(d.dir, 'apache');
    await chmod(d.dir, 0o755);
    await mkdir(join(apacheDir, 'htdocs', 'private'), { recursive: true });
    await mkdir(join(apacheDir, 'run'));
    await writeFile(join(apacheDir, 'htdocs', 'private', 'index.html'), 'members only\n');
    await writeFile(join(apacheDir, 'ldap-secret'), `${d.serviceSecret}\n`, { mode: 0o600 });
    await chmod(d.caFile, 0o644);
    await writeFile(
      join(apacheDir, 'pgdir-ldap.conf'),
      fillIn(docBlock('apache.md', 'pgdir-ldap.conf'), {
        '/etc/ssl/certs/pgdir.pem': d.caFile,
        'ldaps://ldap.example.com/': `ldaps://127.0.0.1:${d.port}/`,
        '/etc/apache2/ldap-secret': join(apacheDir, 'ldap-secret'),
      }),
    );
    const port = await freePort();
    await writeFile(join(apacheDir, 'httpd.conf'), httpdConf(apacheDir, port));
    // Its own process group: prefork's shutdown signals the whole group (ap_unixd_killpg), vitest included.
    apache = spawn(APACHE, ['-f', join(apacheDir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    apache.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    apache.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    base = `http://127.0.0.1:${port}`;
    await waitFor('apache listening', async () => {
      if (apache?.exitCode !== null) throw new Error(`apache2 exited ${apache?.exitCode}: ${out}`);
      return fetch(base).then(() => true).catch(() => undefined);
    });
  }, 180_000);

  afterAll(async () => {
    if (apache !== undefined && apache.exitCode === null) {
      const exited = new Promise((resolve) => apache?.once('exit', resolve));
      apache.kill('SIGTERM');
      await exited;
    }
    await d?.stop();
  });

  it('lets a group member in with the right password', async () => {
    const r = await get('alice', 'alice-Secret-1');
    expect(r.status, await readText(join(apacheDir, 'error.log'))).toBe(200);
    expect(await r.text()).toBe('members only\n');
  });

  it('answers 401 to a wrong password, a non-member, an unknown user and no credentials', async () => {
    expect((await get('alice', 'wrong-password')).status).toBe(401);
    expect((await get('bob', 'bob-Secret-1')).status).toBe(401);
    expect((await get('nobody', 'whatever-1')).status).toBe(401);
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Example staff"');
    // bob's password is right: the denial came from the group check, an LDAP Compare of member on
    // the group entry, as pgdir's access log shows (compareTrue 6 for alice, compareFalse 5 for bob).
    // pgdir serve writes access lines in blocks, at least every 500 ms.
    const compares = await waitFor('both compares in the access log', async () => {
      const found = d.serve.logs().filter((l) => l['op'] === 'compare');
      return found.some((l) => l['result'] === 5) && found.some((l) => l['result'] === 6) ? found : undefined;
    }, 5_000).catch(() => d.serve.logs().filter((l) => l['op'] === 'compare'));
    expect(compares.map((l) => [l['dn'], l['attr'], l['result']])).toEqual(
      expect.arrayContaining([
        ['cn=web,ou=groups,dc=example,dc=com', 'member', 6],
        ['cn=web,ou=groups,dc=example,dc=com', 'member', 5],
      ]),
    );
  });

  it('lets the member in again after the failures (the cache did not keep a denial)', async () => {
    expect((await get('alice', 'alice-Secret-1')).status).toBe(200);
  });
});
