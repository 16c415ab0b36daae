import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/databases.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { freePort } from './daemon-setup.js';
import { REPO } from './pgdir-runner.js';
import { ADMIN_DN, eventually, startCluster, SUFFIX, type ReplicaCluster } from './replicas-cluster.js';

/**
 * The HAProxy example of docs/scaling.md (config/haproxy.example.cfg), run by Debian's haproxy on
 * ephemeral ports in front of three replicas, with ldapsearch/ldapwhoami through it: all up, one
 * replica killed, and the database down (no replica ready: the "alive" backends take over).
 */
const HAPROXY = '/usr/sbin/haproxy';
const EXAMPLE = join(REPO, 'config/haproxy.example.cfg');

/** The example with its placeholders replaced by this cluster's addresses and ports. */
export function renderExample(text: string, cluster: ReplicaCluster, ports: { ldaps: number; ldap: number }): string {
  const byHost = new Map(cluster.replicas.map((r) => [`10.0.0.1${r.index + 1}`, r]));
  return text
    .replace('bind :636', `bind 127.0.0.1:${ports.ldaps}`)
    .replace('bind :389', `bind 127.0.0.1:${ports.ldap}`)
    .replace(/(10\.0\.0\.1\d):(636|389) check port 8080/g, (_, host: string, port: string) => {
      const r = byHost.get(host);
      if (r === undefined) throw new Error(`no replica for ${host}`);
      const ldapPort = port === '636' ? r.ldapPort : Number(new URL(r.ldapUrl).port);
      return `127.0.0.1:${ldapPort} check port ${r.httpPort}`;
    });
}

describe.skipIf(!existsSync(HAPROXY) || postgresBinDir() === undefined)('the HAProxy example in front of three replicas', { timeout: 240_000 }, () => {
  let pg: PrivatePostgres;
  let cluster: ReplicaCluster;
  let work: { path: string; remove(): Promise<void> };
  let haproxy: ChildProcess;
  let haproxyOut = '';
  let lb: { ldaps: string; ldap: string };
  let admin: string;
  let userDn: string;

  const through = (url: string, tool: 'ldapsearch' | 'ldapwhoami', args: string[]) => cluster.ldap(0, tool, ['-H', url, ...args]);
  const searchOk = async (url: string): Promise<boolean> => {
    const r = await through(url, 'ldapsearch', ['-LLL', '-D', ADMIN_DN, '-w', admin, '-b', SUFFIX, '(uid=lbuser)', 'uid']);
    return r.code === 0 && r.stdout.includes('uid: lbuser');
  };
  const bindOk = async (url: string): Promise<boolean> => (await through(url, 'ldapwhoami', ['-D', userDn, '-w', 'lbuser password 1'])).code === 0;
  /** `n` searches and binds in a row, each a new connection through the proxy, all answered. */
  const allAnswer = async (n: number): Promise<boolean> => {
    for (let i = 0; i < n; i++) if (!(await searchOk(i % 2 ? lb.ldap : lb.ldaps)) || !(await bindOk(lb.ldaps))) return false;
    return true;
  };

  beforeAll(async () => {
    [pg, work] = await Promise.all([startPrivatePostgres(), createTempDir('pgdir-haproxy-')]);
    cluster = await startCluster({ size: 3, url: await pg.createDatabase('pgdir'), logLevel: 'warn' });
    admin = await cluster.adminPassword();
    expect((await cluster.cli(0, ['users', 'add', '--username', 'lbuser', '--email', 'lbuser@example.com', '--password-stdin'], 'lbuser password 1\n')).code).toBe(0);
    userDn = (await cluster.ldap(0, 'ldapsearch', ['-LLL', '-D', ADMIN_DN, '-w', admin, '-b', SUFFIX, '(uid=lbuser)', '1.1'])).stdout.match(/^dn: (.*)$/m)?.[1] ?? '';
    const ports = { ldaps: await freePort(), ldap: await freePort() };
    lb = { ldaps: `ldaps://127.0.0.1:${ports.ldaps}`, ldap: `ldap://127.0.0.1:${ports.ldap}` };
    const cfg = join(work.path, 'haproxy.cfg');
    await writeFile(cfg, renderExample(await readFile(EXAMPLE, 'utf8'), cluster, ports));
    const check = spawnSync(HAPROXY, ['-c', '-f', cfg], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    haproxy = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy.stdout?.on('data', (c: Buffer) => (haproxyOut += c.toString()));
    haproxy.stderr?.on('data', (c: Buffer) => (haproxyOut += c.toString()));
    await eventually('HAProxy forwarding', async () => {
      if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${haproxyOut}`);
      return (await searchOk(lb.ldaps)) ? true : undefined;
    }, 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${haproxyOut}`);
    });
  }, 180_000);
  afterAll(async () => {
    haproxy?.kill('SIGTERM');
    await cluster?.close();
    await pg?.destroy();
    await work?.remove();
  });

  it('answers searches (ldaps and ldap) and binds through the proxy, spread over the replicas', async () => {
    expect(await allAnswer(6)).toBe(true);
    // leastconn over short connections: more than one replica served them (HAProxy's tcplog names the server).
    const servers = new Set([...haproxyOut.matchAll(/pgdir_ldaps?_ready\/(pgdir\d)/g)].map((m) => m[1]));
    expect(servers.size).toBeGreaterThan(1);
  });

  it('a killed replica is taken out and clients keep getting answers', async () => {
    await cluster.stop(0, 'SIGKILL');
    // Within two failed checks (2 s apart) it is out; then every connection lands on a live one.
    // Each backend checks on its own schedule: allAnswer uses both the ldaps and the ldap one.
    const down = (): boolean => /pgdir_ldaps_ready\/pgdir1 is DOWN/.test(haproxyOut) && /pgdir_ldap_ready\/pgdir1 is DOWN/.test(haproxyOut);
    await eventually('replica 0 marked down', async () => (down() ? true : undefined), 20_000);
    expect(await allAnswer(6)).toBe(true);
  });

  it('with the database down no replica is ready, and the alive backends still answer searches and binds', async () => {
    await pg.stop();
    try {
      await eventually('no ready replica left', async () => (/backend pgdir_ldaps_ready has no server available/.test(haproxyOut) ? true : undefined), 30_000);
      expect(await allAnswer(4)).toBe(true);
    } finally {
      await pg.start();
    }
  });

  it('the restarted replica is ready again and back in the ready backend', async () => {
    await cluster.start(0);
    await eventually('replica 0 up again', async () => (/pgdir_ldaps_ready\/pgdir1 is UP/.test(haproxyOut) ? true : undefined), 30_000);
    expect(await allAnswer(4)).toBe(true);
  });
});

describe('docs/scaling.md', () => {
  it('shows the HAProxy example as it is in config/haproxy.example.cfg (lines in order, the ldap:// backends elided)', async () => {
    const doc = await readFile(join(REPO, 'docs/scaling.md'), 'utf8');
    const block = /```text\n(global\n[\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const shown = block.split('\n').filter((l) => l !== '' && !l.startsWith('# …'));
    const file = (await readFile(EXAMPLE, 'utf8')).split('\n');
    expect(shown.length).toBeGreaterThan(30);
    let at = 0;
    for (const line of shown) {
      const found = file.indexOf(line, at);
      expect(found, line).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
  });
});
