import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { BusyError, Client, InvalidCredentialsError } from 'ldapts';
import pg from 'pg';
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
/** `auth_throttle.max_pending_per_source` (the default): sign-ins in progress from one address. */
const MAX_PENDING = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client sees of a bind: 0, 49 or 51. */
const bindCode = (p: Promise<unknown>): Promise<number | string> =>
  p.then(
    () => 0,
    (err: unknown) => (err instanceof BusyError ? 51 : err instanceof InvalidCredentialsError ? 49 : String(err)),
  );

/** Polls `seen` on every connection until all agree (true) or `withinMs` passed; answers how long it took. */
async function everyoneWithin(all: readonly Client[], withinMs: number, seen: (c: Client) => Promise<boolean>): Promise<number> {
  const started = performance.now();
  const pending = new Set(all);
  while (pending.size > 0 && performance.now() - started < withinMs) {
    await Promise.all([...pending].map(async (c) => (await seen(c)) && pending.delete(c)));
    if (pending.size > 0) await sleep(25);
  }
  expect(pending.size).toBe(0);
  return performance.now() - started;
}

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
  /** Waits until the user is found on connections to every thread (each view follows the feed by itself). */
  const everyViewHas = (username: string) =>
    withClients(CONNS, asAdmin, (all) => everyoneWithin(all, 30_000, async (c) => (await c.search(`ou=users,${SUFFIX}`, { scope: 'one', filter: `(uid=${username})`, attributes: ['uid'] })).searchEntries.length === 1));
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
    await withClients(12, asAdmin, async (all) => {
      await everyoneWithin(all, 30_000, async (c) => (await c.search(`ou=users,${SUFFIX}`, { scope: 'one', filter: '(uid=pager4)', attributes: ['uid'] })).searchEntries.length === 1);
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

  it('applies a rotated admin secret on every worker at once: the next bind on any connection sees it', async () => {
    const admin = `cn=admin,ou=system,${SUFFIX}`;
    const old = readFileSync(join(fixture.options.dataDir, 'admin-secret'), 'utf8');
    await withClients(CONNS, anonymous, async (all) => {
      const res = await api('POST', '/api/v1/settings/directory-server/secret');
      expect(res.status).toBe(201);
      const { secret } = (await res.json()) as { secret: string };
      // No wait: the API answered after the commit, which every thread hears before its next bind.
      // MAX_PENDING at a time, each connection's first sign-in: never refused busy at the limit.
      for (let i = 0; i < CONNS; i += MAX_PENDING) {
        const codes = await Promise.all(all.slice(i, i + MAX_PENDING).map((c) => bindCode(c.bind(admin, secret))));
        expect(codes).toEqual(codes.map(() => 0));
      }
      // One failure only: more would reach auth_throttle.max_failures for cn=admin from here.
      expect(await bindCode((all[0] as Client).bind(admin, old))).toBe(49);
      await writeFile(join(fixture.options.dataDir, 'admin-secret'), secret);
    });
  });

  it('counts bind failures across workers: after max_failures from this address, the right password fails too', async () => {
    const eve = await daemon.context.directory.users.addUser({ username: 'eve', email: 'eve@example.com', password: 'eve password', role: 'user' }, systemActor());
    await everyViewHas('eve');
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

  it('applies team grants and app access changes on every worker within a second', async () => {
    const { directory } = daemon.context;
    const dora = await directory.users.addUser({ username: 'dora', email: 'dora@example.com', password: 'dora password', role: 'user' }, systemActor());
    await directory.teams.addTeam({ name: 'web' }, systemActor());
    await directory.apps.as(systemActor()).create({ name: 'wiki', access: { teams: [{ team: 'web', level: 'editor' }] } });
    const inWiki = async (c: Client) =>
      (await c.search(`ou=users,ou=wiki,ou=apps,${SUFFIX}`, { scope: 'one', filter: '(uid=dora)', attributes: ['uid'] }).catch(() => ({ searchEntries: [] }))).searchEntries.length === 1;
    const editorOfWeb = async (c: Client) =>
      (await c.search(`cn=web.editor,ou=teams,${SUFFIX}`, { scope: 'base', attributes: ['member'] }).catch(() => ({ searchEntries: [] }))).searchEntries.some((e) => [e['member']].flat().includes(userDn(dora.id)));
    await withClients(CONNS, asAdmin, async (all) => {
      await everyoneWithin(all, 5_000, async (c) => !(await inWiki(c))); // the app's view exists everywhere, without dora
      await directory.teams.putGrant('web', { principal: { type: 'user', id: 'dora' }, level: 'editor' }, systemActor());
      expect(await everyoneWithin(all, 1_000, async (c) => (await inWiki(c)) && (await editorOfWeb(c)))).toBeLessThan(1_000);
      await directory.apps.as(systemActor()).update('wiki', { access: { groups: [] } });
      expect(await everyoneWithin(all, 1_000, async (c) => !(await inWiki(c)))).toBeLessThan(1_000);
      await directory.apps.as(systemActor()).update('wiki', { access: { everyone: true } });
      expect(await everyoneWithin(all, 1_000, inWiki)).toBeLessThan(1_000);
    });
  });

  it('answers 51 busy only past max_pending_per_source sign-ins in progress in the whole daemon', async () => {
    const { directory } = daemon.context;
    const users: { id: string }[] = [];
    for (let i = 0; i < 12; i++) users.push(await directory.users.addUser({ username: `pool${i}`, email: `pool${i}@example.com`, password: 'pool password', role: 'user' }, systemActor()));
    await everyViewHas('pool11');
    const { tickets } = daemon.context.throttle.gate;
    /**
     * Holds the failure counters, so that every sign-in stays in progress, until `inProgress` sign-ins
     * hold a place in the daemon's gate (every thread's) and `answered` were answered at once (under
     * the 1 s database timeout: a fixed wait was too short on a loaded machine).
     */
    async function whileHeld<T>(inProgress: number, answered: number, fn: (settled: () => void) => Promise<T>): Promise<T> {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked: Promise<unknown>;
      if (fixture.url === undefined) {
        let inside!: () => void;
        const entered = new Promise<void>((resolve) => (inside = resolve));
        locked = daemon.context.store.write(async () => (inside(), await held)); // PGlite: one transaction at a time
        await entered;
      } else {
        const client = new pg.Client({ connectionString: fixture.url });
        await client.connect();
        await client.query('BEGIN');
        await client.query('LOCK TABLE auth_failures IN ACCESS EXCLUSIVE MODE');
        locked = held.then(() => client.query('COMMIT')).finally(() => client.end());
      }
      let settled = 0;
      const answers = fn(() => void (settled += 1));
      const started = performance.now();
      while ((tickets.total < inProgress || settled < answered) && performance.now() - started < 900) await sleep(5);
      release();
      await locked;
      return answers;
    }
    // At the limit: MAX_PENDING first sign-ins at once, over every thread, all in progress together.
    await withClients(MAX_PENDING, anonymous, async (all) => {
      const codes = await whileHeld(MAX_PENDING, 0, async () => Promise.all(all.map((c, i) => bindCode(c.bind(userDn(users[i]?.id ?? ''), 'pool password')))));
      expect(codes).toEqual(all.map(() => 0));
    });
    // Past it: 12 at once, 8 are checked and 4 answered busy, whichever threads they landed on.
    await withClients(12, anonymous, async (all) => {
      const codes = await whileHeld(MAX_PENDING, 12 - MAX_PENDING, async (settled) =>
        Promise.all(all.map((c, i) => bindCode(c.bind(userDn(users[i]?.id ?? ''), 'wrong password')).finally(settled))));
      expect(codes.filter((code) => code === 51)).toHaveLength(12 - MAX_PENDING);
      expect(codes.filter((code) => code === 49)).toHaveLength(MAX_PENDING);
    });
  });
});
