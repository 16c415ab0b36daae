import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServices, startDaemon, type Daemon, type Service } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { systemActor } from '../../../src/domain/actor.js';
import type { HttpService } from '../../../src/http/http-service.js';
import type { LdapService } from '../../../src/ldap/ldap-service.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { createTempDir, createTestDatabase, TEST_SERVER_URL } from '../../helpers/databases.js';
import { parsePrometheusText, sample } from '../../helpers/prometheus-text.js';
import { StallProxy } from '../../helpers/stall-proxy.js';

const SUFFIX = 'dc=example,dc=com';
const ADMIN = `cn=admin,ou=system,${SUFFIX}`;
const SECRET = 'admin-secret-for-tests';

interface Replica {
  readonly daemon: Daemon;
  readonly ldap: LdapService;
  readonly http: HttpService;
}

async function startReplica(dir: string, url: string, extra: string[] = []): Promise<Replica> {
  const file = join(dir, 'pgdir.yaml');
  const yaml = [
    `data_dir: ${dir}`,
    'database:',
    `  url: ${url}`,
    ...extra,
    'http:',
    '  listen: 127.0.0.1:0',
    'ldap:',
    `  suffix: ${SUFFIX}`,
    '  listen: [ "ldap://127.0.0.1:0" ]',
    `  admin_password: ${SECRET}`,
    'bcrypt:',
    '  cost: 4',
  ].join('\n');
  await writeFile(file, yaml);
  const { config } = loadConfig({ path: file, env: {} });
  const parts: { ldap?: LdapService; http?: HttpService } = {};
  const capture = (service: Service): Service => {
    if (service.name === 'ldap') parts.ldap = service as LdapService;
    if (service.name === 'http') parts.http = service as HttpService;
    return service;
  };
  const services = defaultServices().map((factory) => async (ctx: Parameters<typeof factory>[0]) => capture(await factory(ctx)));
  const daemon = await startDaemon(config, createLogger({ level: 'silent' }), { services });
  return { daemon, ldap: parts.ldap as LdapService, http: parts.http as HttpService };
}

async function ldapFinds(replica: Replica, uid: string): Promise<boolean> {
  const client = new Client({ url: replica.ldap.server.addresses()[0]?.url ?? '' });
  try {
    await client.bind(ADMIN, SECRET);
    const { searchEntries } = await client.search(SUFFIX, { scope: 'sub', filter: `(uid=${uid})` });
    return searchEntries.length === 1;
  } finally {
    await client.unbind();
  }
}

async function readyz(replica: Replica): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${replica.http.address().url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function metric(replica: Replica, name: string): Promise<number | undefined> {
  const res = await fetch(`${replica.http.address().url}/metrics`);
  return sample(parsePrometheusText(await res.text()), name);
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const addUser = (replica: Replica, username: string) =>
  replica.daemon.context.directory.users.addUser({ username, email: `${username}@example.com`, password: 'a password', role: 'user' }, systemActor());

/**
 * Issue 20, defect 2: two replicas on one PostgreSQL database; replica B reaches it through a TCP
 * proxy that the test stalls (stops forwarding, keeps the sockets open: no FIN, no RST). With B's
 * LISTEN connection stalled, a change made on A must still reach B's LDAP answers (the periodic
 * revision check), B's readiness must show the lag while B is behind, and B must re-open LISTEN.
 */
describe('a replica whose LISTEN connection stalls', { timeout: 90_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  let dirs: { path: string; remove(): Promise<void> }[];
  let proxy: StallProxy;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    const server = new URL(TEST_SERVER_URL);
    [database, proxy, ...dirs] = await Promise.all([
      createTestDatabase(),
      StallProxy.start({ host: server.hostname, port: Number(server.port || 5432) }),
      createTempDir('pgdir-stall-a-'),
      createTempDir('pgdir-stall-b-'),
    ]);
    a = await startReplica(dirs[0]!.path, database.url);
    // Every replica needs the first one's sealing key (docs/scaling.md), or it refuses to start.
    await copyFile(join(dirs[0]!.path, 'totp.key'), join(dirs[1]!.path, 'totp.key'));
    // max_lag 0: any lag makes B unready, so the test sees the lag the check is about to repair.
    b = await startReplica(dirs[1]!.path, proxy.url(database.url), [
      '  revision_check_interval: 4s',
      'health:',
      '  check_timeout: 1s',
      '  max_lag: 0',
    ]);
  });
  afterAll(async () => {
    proxy?.resume();
    await Promise.all([a?.daemon.stop('test', 5_000), b?.daemon.stop('test', 5_000)]);
    await proxy?.close();
    await database?.drop();
    await Promise.all((dirs ?? []).map((d) => d.remove()));
  });

  it('follows the other replica by notification while the connection is healthy', async () => {
    await addUser(a, 'before');
    await eventually(async () => ((await ldapFinds(b, 'before')) ? true : undefined), 10_000, 'B to see "before"');
    expect(await readyz(b)).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: 'ok', ldap: 'ok', replication: 'ok' } } });
  });

  it('catches up within the check interval, reports the lag meanwhile and re-opens LISTEN', async () => {
    expect(proxy.stallListeners()).toBe(1);
    // Write just after B's check ran: B then stays behind for most of an interval (4 s).
    await eventually(async () => {
      const age = await metric(b, 'pgdir_replica_last_check_age_seconds');
      return age !== undefined && age < 0.3 ? age : undefined;
    }, 10_000, "B's revision check");
    const started = Date.now();
    await addUser(a, 'during');

    const behind = await readyz(b);
    expect(behind.status).toBe(503);
    expect(behind.body).toMatchObject({ status: 'unready', checks: { store: 'ok', replication: 'failing' }, lag: { revisions: 1 } });
    expect((behind.body.reasons as Record<string, string>).replication).toMatch(/^the directory view is 1 revision\(s\) behind the change log/);
    expect(await ldapFinds(b, 'during')).toBe(false); // stale: the notification never arrived
    expect(await metric(b, 'pgdir_replica_lag_revisions')).toBe(1);

    await eventually(async () => ((await ldapFinds(b, 'during')) ? true : undefined), 10_000, 'B to see "during" over LDAP');
    const catchUpMs = Date.now() - started;
    expect(catchUpMs).toBeLessThan(10_000);
    expect(await readyz(b)).toMatchObject({ status: 200, body: { status: 'ready', lag: { revisions: 0 } } });
    expect(await metric(b, 'pgdir_replica_lag_revisions')).toBe(0);

    // The stalled LISTEN does not answer the check's query (1 s): it is dropped and opened anew.
    await eventually(async () => ((await metric(b, 'pgdir_replica_listener_reopened_total')) ?? 0) >= 1 || undefined, 15_000, 'LISTEN re-opened');
    await eventually(async () => (proxy.listeners().stalled < proxy.listeners().open ? true : undefined), 15_000, 'a live LISTEN');
    // Notifications flow again: the next change arrives well before the next check could bring it.
    await eventually(async () => {
      const age = await metric(b, 'pgdir_replica_last_check_age_seconds');
      return age !== undefined && age < 0.3 ? age : undefined;
    }, 10_000, "B's revision check");
    await addUser(a, 'after');
    await eventually(async () => ((await ldapFinds(b, 'after')) ? true : undefined), 2_000, 'B to see "after" by notification');
  });
});
