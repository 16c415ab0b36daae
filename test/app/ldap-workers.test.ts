import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServices, startDaemon, type Daemon, type Service } from '../../src/app.js';
import type { LdapWorkers } from '../../src/app/ldap-workers.js';
import { loadConfig } from '../../src/config/index.js';
import { systemActor } from '../../src/domain/actor.js';
import type { HttpService } from '../../src/http/http-service.js';
import type { LdapService } from '../../src/ldap/ldap-service.js';
import { createLogger } from '../../src/log/create-logger.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { parsePrometheusText, sample } from '../helpers/prometheus-text.js';

const SUFFIX = 'dc=example,dc=com';
const WORKERS = 3;
/** Enough connections that each of 3 listeners gets some (the kernel hashes each one: P(a worker gets none) ≈ 1e-5). */
const CONNS = 30;

/**
 * `ldap.workers: 3` in the real composition root: the main thread and two worker threads share the
 * listeners (SO_REUSEPORT), each with its own view. Everything a client can see must be the same
 * whichever worker its connection landed on: changes, settings, the admin secret, the throttle,
 * connection caps, paged cursors, StartTLS, metrics.
 */
describe.each(storeModes)('LDAP workers on $mode', (mode) => {
  let fixture: StoreFixture;
  let daemon: Daemon;
  let ldap: LdapService;
  let workers: LdapWorkers;
  let http: HttpService;
  let ownerToken: string;
  let ca: string;
  const userDn = (id: string) => `cn=uid-${id},ou=users,${SUFFIX}`;
  const port = () => ldap.server.addresses()[0]?.port ?? 0;
  const url = () => `ldap://127.0.0.1:${port()}`;
  /** `n` connections, each bound (one after another: concurrent sign-ins from one address are capped) and closed after `fn`. */
  async function withClients<T>(n: number, bind: (c: Client) => Promise<unknown>, fn: (all: Client[]) => Promise<T>): Promise<T> {
    const all = Array.from({ length: n }, () => new Client({ url: url() }));
    try {
      for (const c of all) await bind(c);
      return await fn(all);
    } finally {
      await Promise.all(all.map((c) => c.unbind().catch(() => undefined)));
    }
  }
  const anonymous = (c: Client) => c.bind('', '');
  const asAdmin = (c: Client) => c.bind(`cn=admin,ou=system,${SUFFIX}`, readFileSync(join(fixture.options.dataDir, 'admin-secret'), 'utf8'));
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${http.address().url}${path}`, { method, headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    fixture = await mode.create();
    const file = join(fixture.options.dataDir, 'pgdir.yaml');
    const yaml = [
      `data_dir: ${fixture.options.dataDir}`,
      ...(fixture.url === undefined ? [] : ['database:', `  url: ${fixture.url}`]),
      'http:', '  listen: 127.0.0.1:0',
      'ldap:', `  suffix: ${SUFFIX}`, '  listen: [ "ldap://127.0.0.1:0" ]', '  allowlist: [ "127.0.0.1" ]', `  workers: ${WORKERS}`,
      '  limits:', '    max_connections_per_ip: 40',
      'auth_throttle:', '  max_failures: 2',
      'bcrypt:', '  cost: 4',
    ].join('\n');
    await writeFile(file, yaml);
    const { config } = loadConfig({ path: file, env: {} });
    const capture = (service: Service): Service => {
      if (service.name === 'ldap') ldap = service as LdapService;
      if (service.name === 'ldap-workers') workers = service as LdapWorkers;
      if (service.name === 'http') http = service as HttpService;
      return service;
    };
    const services = defaultServices().map((factory) => async (ctx: Parameters<typeof factory>[0]) => capture(await factory(ctx)));
    daemon = await startDaemon(config, createLogger({ level: 'silent' }), { services });
    await workers.ready(); // the daemon is ready with the main thread; the workers join as they load
    ca = readFileSync(join(fixture.options.dataDir, 'tls', 'cert.pem'), 'utf8');
    const users = daemon.context.directory.users;
    await users.addUser({ username: 'boss', email: 'boss@example.com', password: 'boss password', role: 'owner' }, systemActor());
    const login = await fetch(`${http.address().url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'boss', password: 'boss password' }) });
    ownerToken = ((await login.json()) as { token: string }).token;
  }, 240_000);
  afterAll(async () => {
    await daemon?.stop('test', 10_000);
    await fixture?.cleanup();
  });

  it('runs the main thread and two worker threads, every one of them accepting connections', async () => {
    expect(workers.count).toBe(WORKERS - 1);
    await withClients(CONNS, anonymous, async () => {
      const perWorker = await workers.connections();
      expect(perWorker).toHaveLength(WORKERS - 1);
      for (const n of perWorker) expect(n).toBeGreaterThan(0);
      expect(ldap.server.stats().connections).toBeGreaterThan(0);
      expect(ldap.server.stats().connections + perWorker.reduce((a, b) => a + b, 0)).toBe(CONNS);
    });
  });

  it('shows a new user on every connection, with its group membership', async () => {
    await withClients(CONNS, asAdmin, async (all) => {
      const carol = await daemon.context.directory.users.addUser({ username: 'carol', email: 'carol@example.com', password: 'carol password', role: 'user' }, systemActor());
      const found = await Promise.all(all.map(async (c) => {
        for (let i = 0; i < 100; i++) {
          const r = await c.search(`ou=users,${SUFFIX}`, { scope: 'sub', filter: '(uid=carol)', attributes: ['memberOf'] });
          if (r.searchEntries.length === 1) return r.searchEntries[0];
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return undefined;
      }));
      for (const entry of found) {
        expect(entry?.dn).toBe(userDn(carol.id));
        expect(entry?.memberOf).toBe(`cn=users,ou=groups,${SUFFIX}`);
      }
    });
  });

  it('pages results per connection on every worker (RFC 2696 cursors stay with their connection)', async () => {
    for (let i = 0; i < 5; i++) await daemon.context.directory.users.addUser({ username: `pager${i}`, email: `pager${i}@example.com`, password: 'pager password', role: 'user' }, systemActor());
    const revision = await daemon.context.store.revision();
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // every view follows the feed
    await withClients(12, asAdmin, async (all) => {
      const results = await Promise.all(all.map((c) => c.search(`ou=users,${SUFFIX}`, { scope: 'one', filter: '(uid=pager*)', attributes: ['uid'], paged: { pageSize: 2 } })));
      for (const r of results) expect(r.searchEntries.map((e) => e.uid).sort()).toEqual(['pager0', 'pager1', 'pager2', 'pager3', 'pager4']);
    });
    expect(revision).toBeGreaterThan(0);
  });

  it('upgrades with StartTLS on every worker', async () => {
    await withClients(12, (c) => c.startTLS({ ca, servername: 'localhost' }), async (all) => {
      const who = await Promise.all(all.map(async (c) => (await c.exop('1.3.6.1.4.1.4203.1.11.3')).value ?? ''));
      expect(who).toEqual(Array.from({ length: 12 }, () => ''));
    });
  });

  it('applies a rotated admin secret on every worker', async () => {
    const admin = `cn=admin,ou=system,${SUFFIX}`;
    const old = readFileSync(join(fixture.options.dataDir, 'admin-secret'), 'utf8');
    const res = await api('POST', '/api/v1/settings/directory-server/secret');
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the change feed reaches every worker
    await withClients(CONNS, anonymous, async (all) => {
      for (const c of all) await c.bind(admin, secret);
      // One failure only: more would reach auth_throttle.max_failures for cn=admin from here.
      await expect(all[CONNS - 1]?.bind(admin, old)).rejects.toThrow(InvalidCredentialsError);
    });
    await writeFile(join(fixture.options.dataDir, 'admin-secret'), secret);
  });

  it('counts bind failures across workers: after max_failures from this address, the right password fails too', async () => {
    const eve = await daemon.context.directory.users.addUser({ username: 'eve', email: 'eve@example.com', password: 'eve password', role: 'user' }, systemActor());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = parsePrometheusText(await (await fetch(`${http.address().url}/metrics`)).text());
    await withClients(CONNS, anonymous, async (all) => {
      // One wrong password per connection, one after another, whichever workers they land on: from
      // the third attempt on they are refused without checking, and so is the right password.
      for (const c of all.slice(0, 6)) await expect(c.bind(userDn(eve.id), 'wrong')).rejects.toThrow(InvalidCredentialsError);
      for (const c of all) await expect(c.bind(userDn(eve.id), 'eve password')).rejects.toThrow(InvalidCredentialsError);
    });
    const after = parsePrometheusText(await (await fetch(`${http.address().url}/metrics`)).text());
    const delta = (outcome: string) => (sample(after, 'pgdir_ldap_binds_total', { outcome }) ?? 0) - (sample(before, 'pgdir_ldap_binds_total', { outcome }) ?? 0);
    // Summed over the workers' registries: exactly two failures were checked, the rest throttled.
    expect(delta('invalid_credentials')).toBe(2);
    expect(delta('throttled')).toBe(4 + CONNS);
  });

  it('holds max_connections_per_ip across workers', async () => {
    const res = await api('GET', '/api/v1/settings/directory-server');
    expect(res.status).toBe(200);
    const sockets: Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < 50; i++) {
      const s = connect({ host: '127.0.0.1', port: port() });
      s.on('error', () => undefined);
      const index = i;
      closed[index] = false;
      s.on('close', () => (closed[index] = true));
      sockets.push(s);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(closed.filter((c) => !c)).toHaveLength(40);
    for (const s of sockets) s.destroy();
  });

  it('applies an allowlist change on every worker before the API answers', async () => {
    const res = await api('PUT', '/api/v1/settings/directory-server', { allowlist: '10.0.0.0/8' });
    expect(res.status).toBe(200);
    const outcomes: string[] = [];
    for (let i = 0; i < CONNS; i++) outcomes.push(await new Client({ url: url(), connectTimeout: 2_000 }).bind('', '').then(() => 'open', () => 'refused'));
    expect(outcomes).toEqual(Array.from({ length: CONNS }, () => 'refused'));
    expect((await api('PUT', '/api/v1/settings/directory-server', { allowlist: '127.0.0.1' })).status).toBe(200);
    await withClients(CONNS, anonymous, async (all) => expect(all).toHaveLength(CONNS));
    const metrics = parsePrometheusText(await (await fetch(`${http.address().url}/metrics`)).text());
    expect(sample(metrics, 'pgdir_ldap_connections_refused_total', { reason: 'allowlist' })).toBe(CONNS);
  });
});
