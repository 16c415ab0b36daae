import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.js';
import { ADMIN_DN, api, eventually, ldapHasUid, login, startCluster, SUFFIX, type ReplicaCluster } from './replicas-cluster.js';

/**
 * Issue 17: three `pgdir serve` processes on one PostgreSQL database. A change through any one
 * (API, CLI) is visible over LDAP on the others; what must be shared is shared (sessions, the
 * admin secret, settings, the failed-bind throttle); a replica whose LISTEN connection is cut
 * catches up by revision without a restart. Visibility only: the latency is in bench/replicas.ts.
 */
const OWNER = { username: 'boss', password: 'boss password 123' };

/** The local ports of `pid`'s TCP connections (ss -tnp), to find its backend in pg_stat_activity. */
function localPortsOf(pid: number): Set<number> {
  const out = execFileSync('ss', ['-tnpH'], { encoding: 'utf8' });
  const ports = new Set<number>();
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[3] ?? '';
    ports.add(Number(local.slice(local.lastIndexOf(':') + 1)));
  }
  return ports;
}

describe('three replicas on one PostgreSQL database', { timeout: 300_000 }, () => {
  let database: { url: string; name: string; drop(): Promise<void> };
  let cluster: ReplicaCluster;
  let admin: string;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    cluster = await startCluster({ size: 3, url: database.url, extraYaml: ['auth_throttle: { max_failures: 3 }'] });
    admin = await cluster.adminPassword();
    const added = await cluster.cli(0, ['users', 'add', '--username', OWNER.username, '--email', 'boss@example.com', '--role', 'owner', '--password-stdin'], `${OWNER.password}\n`);
    expect(added.code, added.stderr).toBe(0);
    token = await login(cluster.replicas[0]?.httpUrl ?? '', OWNER.username, OWNER.password);
  }, 300_000); // three replicas start one after the other: slow on a loaded shared machine
  afterAll(async () => {
    await cluster?.close();
    await database?.drop();
  });

  const http = (i: number): string => cluster.replicas[i]?.httpUrl ?? '';
  const visibleEverywhere = (uid: string) =>
    Promise.all([0, 1, 2].map((i) => eventually(`${uid} on replica ${i}`, async () => ((await ldapHasUid(cluster, i, uid, admin)) ? true : undefined))));

  it('a user added with the CLI on one replica is found over LDAP on the others', async () => {
    await visibleEverywhere(OWNER.username);
    const added = await cluster.cli(2, ['users', 'add', '--username', 'viacli', '--email', 'viacli@example.com', '--password-stdin'], 'viacli password 1\n');
    expect(added.code, added.stderr).toBe(0);
    await visibleEverywhere('viacli');
    // And binds there with its password: the hash travelled with the change.
    const dn = (await cluster.ldap(0, 'ldapsearch', ['-LLL', '-D', ADMIN_DN, '-w', admin, '-b', SUFFIX, '(uid=viacli)', '1.1'])).stdout.match(/^dn: (.*)$/m)?.[1] ?? '';
    expect(dn).toMatch(/^cn=uid-/);
    expect((await cluster.ldap(1, 'ldapwhoami', ['-D', dn, '-w', 'viacli password 1'])).code).toBe(0);
  });

  it('a user and a group made through the API on one replica show, with memberOf, on the others', async () => {
    const created = await api(http(1), token, 'POST', '/api/v1/users', { username: 'viaapi', email: 'viaapi@example.com', fullName: 'Via API', password: 'viaapi password 1' });
    expect(created.status).toBe(201);
    const group = await api(http(1), token, 'POST', '/api/v1/groups', { name: 'replicated' });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    expect((await cluster.cli(2, ['groups', 'add-member', 'replicated', 'viaapi'])).code).toBe(0);
    await visibleEverywhere('viaapi');
    for (const i of [0, 1, 2]) {
      await eventually(`memberOf on replica ${i}`, async () => {
        const r = await cluster.ldap(i, 'ldapsearch', ['-LLL', '-D', ADMIN_DN, '-w', admin, '-b', SUFFIX, '(uid=viaapi)', 'memberOf']);
        return r.stdout.includes(`memberOf: cn=replicated,ou=groups,${SUFFIX}`) ? true : undefined;
      });
    }
    // A delete through a third replica disappears everywhere.
    expect((await api(http(2), token, 'DELETE', `/api/v1/users/${created.body.id}`)).status).toBe(204);
    for (const i of [0, 1, 2]) await eventually(`viaapi gone on ${i}`, async () => ((await ldapHasUid(cluster, i, 'viaapi', admin)) ? undefined : true));
  });

  it('a session token issued by one replica works on the others, and a logout on one ends it everywhere', async () => {
    const session = await login(http(0), OWNER.username, OWNER.password);
    for (const i of [0, 1, 2]) expect((await api(http(i), session, 'GET', '/api/v1/profile')).status).toBe(200);
    expect((await api(http(1), session, 'POST', '/api/v1/auth/logout')).status).toBeLessThan(300);
    for (const i of [0, 1, 2]) expect((await api(http(i), session, 'GET', '/api/v1/profile')).status).toBe(401);
  });

  it('a rotated admin secret binds on every replica and the old one is refused', async () => {
    const rotated = await api(http(1), token, 'POST', '/api/v1/settings/directory-server/secret');
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.secret as string;
    for (const i of [0, 1, 2]) {
      await eventually(`new secret on ${i}`, async () => ((await cluster.ldap(i, 'ldapwhoami', ['-D', ADMIN_DN, '-w', fresh])).code === 0 ? true : undefined));
    }
    // Two failures only: the throttle (max_failures 3 per source and account) counts across replicas.
    for (const i of [0, 2]) expect((await cluster.ldap(i, 'ldapwhoami', ['-D', ADMIN_DN, '-w', admin])).code).toBe(49);
    admin = fresh;
  });

  it('the directory-server allowlist set through one replica closes LDAP on the others, and reopens', async () => {
    expect((await api(http(0), token, 'PUT', '/api/v1/settings/directory-server', { allowlist: '10.9.9.9' })).status).toBe(200);
    for (const i of [1, 2]) {
      await eventually(`replica ${i} refuses 127.0.0.1`, async () => ((await cluster.ldap(i, 'ldapwhoami', ['-D', ADMIN_DN, '-w', admin])).code === 255 ? true : undefined));
    }
    expect((await api(http(2), token, 'PUT', '/api/v1/settings/directory-server', { allowlist: '127.0.0.1' })).status).toBe(200);
    for (const i of [0, 1]) {
      await eventually(`replica ${i} admits 127.0.0.1`, async () => ((await cluster.ldap(i, 'ldapwhoami', ['-D', ADMIN_DN, '-w', admin])).code === 0 ? true : undefined));
    }
  });

  it('failed binds spread over the replicas add up to one throttle (max_failures 3)', async () => {
    const added = await cluster.cli(0, ['users', 'add', '--username', 'target', '--email', 'target@example.com', '--password-stdin'], 'target password 1\n');
    expect(added.code).toBe(0);
    await visibleEverywhere('target');
    const dn = (await cluster.ldap(0, 'ldapsearch', ['-LLL', '-D', ADMIN_DN, '-w', admin, '-b', SUFFIX, '(uid=target)', '1.1'])).stdout.match(/^dn: (.*)$/m)?.[1] ?? '';
    expect((await cluster.ldap(2, 'ldapwhoami', ['-D', dn, '-w', 'target password 1'])).code).toBe(0);
    for (const i of [0, 1, 2]) expect((await cluster.ldap(i, 'ldapwhoami', ['-D', dn, '-w', `wrong ${i}`])).code).toBe(49);
    // The right password is refused now on every replica, with the same uniform 49.
    for (const i of [0, 1, 2]) expect((await cluster.ldap(i, 'ldapwhoami', ['-D', dn, '-w', 'target password 1'])).code).toBe(49);
    // Somebody else is not affected.
    const bossDn = (await cluster.ldap(0, 'ldapsearch', ['-LLL', '-D', ADMIN_DN, '-w', admin, '-b', SUFFIX, '(uid=boss)', '1.1'])).stdout.match(/^dn: (.*)$/m)?.[1] ?? '';
    expect((await cluster.ldap(1, 'ldapwhoami', ['-D', bossDn, '-w', OWNER.password])).code).toBe(0);
  });

  it('a replica whose LISTEN connection is terminated catches up by revision without a restart', async () => {
    const pid = cluster.replicas[2]?.serve?.child.pid ?? 0;
    const ports = localPortsOf(pid);
    const listeners = await cluster.query<{ pid: number; client_port: number }>(
      "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgdir-listen'",
    );
    expect(listeners).toHaveLength(3);
    const victim = listeners.find((l) => ports.has(l.client_port));
    expect(victim).toBeDefined();
    // Cut it and write at once, so that some changes are committed while replica 2 is not listening.
    await cluster.query('SELECT pg_terminate_backend($1)', [victim?.pid]);
    const names = ['cut1', 'cut2', 'cut3', 'cut4', 'cut5'];
    for (const name of names) expect((await api(http(0), token, 'POST', '/api/v1/users', { username: name, email: `${name}@example.com`, password: `${name} password 1` })).status).toBe(201);
    for (const name of names) await eventually(`${name} on replica 2`, async () => ((await ldapHasUid(cluster, 2, name, admin)) ? true : undefined));
    // It listens again (a new backend), and later changes arrive through it.
    await eventually('a new LISTEN backend for replica 2', async () => {
      const rows = await cluster.query<{ pid: number; client_port: number }>("SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgdir-listen'");
      const now = localPortsOf(pid);
      return rows.some((r) => r.pid !== victim?.pid && now.has(r.client_port)) ? true : undefined;
    });
    expect((await api(http(1), token, 'POST', '/api/v1/users', { username: 'after-cut', email: 'after-cut@example.com', password: 'after-cut password 1' })).status).toBe(201);
    await eventually('after-cut on replica 2', async () => ((await ldapHasUid(cluster, 2, 'after-cut', admin)) ? true : undefined));
    expect(cluster.replicas[2]?.serve?.child.pid).toBe(pid); // the same process throughout
  });

  it('every replica serves the same directory, entry for entry', async () => {
    const dumps = await Promise.all([0, 1, 2].map((i) => cluster.dump(i, admin)));
    expect(dumps[0]).toContain('uid: after-cut');
    expect(dumps[1]).toBe(dumps[0]);
    expect(dumps[2]).toBe(dumps[0]);
  });
});
