import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServices, startDaemon, type Daemon, type Service } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { systemActor } from '../../src/domain/actor.js';
import type { HttpService } from '../../src/http/http-service.js';
import { loggableFilter } from '../../src/ldap/access-log.js';
import type { LdapService } from '../../src/ldap/ldap-service.js';
import { createLogger } from '../../src/log/create-logger.js';
import { DuplicateSuppressor } from '../../src/log/duplicate-suppressor.js';
import { createPGliteDataDir, storeModes, type StoreFixture } from '../helpers/databases.js';
import { daemonStatus, startServe, waitFor, writeTestConfig } from '../helpers/pgdir-process.js';

const SUFFIX = 'dc=example,dc=com';
const SECRET = 'alice-Secret-7x!';
type Line = Record<string, unknown>;

describe('DuplicateSuppressor', () => {
  it('lets a burst through per window, then counts, and reports the count once the window ends', () => {
    let now = 0;
    const s = new DuplicateSuppressor({ burst: 3, windowMs: 1000, now: () => now });
    const reports: [object, number][] = [];
    const report = (sample: object, n: number) => reports.push([sample, n]);
    const admitted = Array.from({ length: 10 }, () => s.admit('k', { k: 1 }, report));
    expect(admitted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(s.admit('other', { k: 2 }, report)).toBe(true); // other keys have their own budget
    now = 1000;
    expect(s.admit('k', { k: 1 }, report)).toBe(true); // new window, summary of the old one first
    expect(reports).toEqual([[{ k: 1 }, 7]]);
    for (let i = 0; i < 5; i++) s.admit('k', { k: 1 }, report);
    now = 2500;
    s.flush(report);
    expect(reports).toEqual([[{ k: 1 }, 7], [{ k: 1 }, 3]]);
  });
});

describe('loggableFilter', () => {
  it('masks values of password-like attributes and cuts long filters', () => {
    expect(loggableFilter('(&(uid=alice)(userPassword=hunter2))')).toBe('(&(uid=alice)(userPassword=***))');
    expect(loggableFilter('(|(clientSecret~=abc)(apiToken:caseExactMatch:=x)(mail=a@b))')).toBe('(|(clientSecret~=***)(apiToken:caseExactMatch:=***)(mail=a@b))');
    expect(loggableFilter(`(cn=${'x'.repeat(5000)})`)).toHaveLength(1025);
  });
});

/** The daemon's access log (`log.access: all`), read from its real log stream. */
describe('access log of the daemon', () => {
  const mode = storeModes.find((m) => m.mode === 'pglite') ?? storeModes[0]!;
  let fixture: StoreFixture;
  let daemon: Daemon;
  let ldap: LdapService;
  let http: HttpService;
  let aliceId: string;
  let raw = '';
  const lines = (): Line[] => raw.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
  const access = (): Line[] => lines().filter((l) => l['component'] === 'access');
  const ldapUrl = () => ldap.server.addresses()[0]?.url ?? '';

  beforeAll(async () => {
    fixture = await mode.create();
    const file = join(fixture.options.dataDir, 'pgdir.yaml');
    await writeFile(
      file,
      [
        `data_dir: ${fixture.options.dataDir}`,
        'http: { listen: 127.0.0.1:0 }',
        'log: { level: info, format: json, access: all }',
        `ldap: { suffix: "${SUFFIX}", listen: [ "ldap://127.0.0.1:0" ], allowlist: [ "127.0.0.1" ], admin_password: admin-secret-for-tests }`,
        'auth_throttle: { max_failures: 1000 }',
        'bcrypt: { cost: 4 }',
      ].join('\n'),
    );
    const { config } = loadConfig({ path: file, env: {} });
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((raw += chunk.toString()), done()) });
    const capture = (service: Service): Service => {
      if (service.name === 'ldap') ldap = service as LdapService;
      if (service.name === 'http') http = service as HttpService;
      return service;
    };
    const services = defaultServices().map((factory) => async (ctx: Parameters<typeof factory>[0]) => capture(await factory(ctx)));
    daemon = await startDaemon(config, createLogger({ level: 'info', format: 'json', destination: sink }), { services });
    const alice = await daemon.context.directory.users.addUser({ username: 'alice', email: 'alice@example.com', password: SECRET }, systemActor());
    aliceId = alice.id;
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop('test', 5000);
    await fixture?.cleanup();
  });

  it('logs binds and searches with who, what and the result, and never the password', async () => {
    const client = new Client({ url: ldapUrl() });
    await expect(client.bind(`uid=alice,ou=users,${SUFFIX}`, 'wrong password')).rejects.toThrow(InvalidCredentialsError);
    await client.bind(`uid=alice,ou=users,${SUFFIX}`, SECRET);
    const found = await client.search(`ou=users,${SUFFIX}`, { scope: 'sub', filter: '(&(uid=alice)(userPassword=guess))', attributes: ['uid'] });
    expect(found.searchEntries).toHaveLength(0);
    await client.search(`ou=users,${SUFFIX}`, { scope: 'one', filter: '(uid=alice)' });
    await client.unbind();
    const entries = access();
    const binds = entries.filter((l) => l['op'] === 'bind');
    expect(binds.map((l) => [l['dn'], l['result'], l['resultName'], l['method']])).toEqual([
      [`uid=alice,ou=users,${SUFFIX}`, 49, 'invalidCredentials', 'simple'],
      [`uid=alice,ou=users,${SUFFIX}`, 0, 'success', 'simple'],
    ]);
    expect(binds[0]).toMatchObject({ peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), tls: false, as: '', msg: 'ldap bind' });
    // The fields keep their order (readers of the log may rely on the line's layout).
    const order = ['conn', 'peer', 'tls', 'as', 'op', 'msgid', 'dn', 'method', 'base', 'scope', 'filter', 'attrs', 'result', 'resultName', 'entries', 'ms'];
    expect(Object.keys(binds[1] ?? {}).filter((k) => order.includes(k))).toEqual(['conn', 'peer', 'tls', 'as', 'op', 'msgid', 'dn', 'method', 'result', 'resultName', 'ms']);
    expect(Object.keys(entries.find((l) => l['op'] === 'search') ?? {}).filter((k) => order.includes(k))).toEqual(
      ['conn', 'peer', 'tls', 'as', 'op', 'msgid', 'base', 'scope', 'filter', 'attrs', 'result', 'resultName', 'entries', 'ms'],
    );
    const searches = entries.filter((l) => l['op'] === 'search');
    expect(searches).toHaveLength(2);
    expect(searches[0]).toMatchObject({ base: `ou=users,${SUFFIX}`, scope: 'sub', filter: '(&(uid=alice)(userPassword=***))', result: 0, entries: 0 });
    expect(searches[1]).toMatchObject({ scope: 'one', filter: '(uid=alice)', result: 0, entries: 1, as: `cn=uid-${aliceId},ou=users,${SUFFIX}` });
    expect(typeof searches[1]?.['ms']).toBe('number');
    expect(new Set(entries.map((l) => l['conn'])).size).toBe(1);
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain('wrong password');
    expect(raw).not.toContain('guess');
  });

  it('logs HTTP requests by route with status and actor, never the body or the path with its token', async () => {
    const base = http.address().url;
    const bad = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'alice', password: 'not-it' }) });
    expect(bad.status).toBe(401);
    const good = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'alice', password: SECRET }) });
    const { token } = (await good.json()) as { token: string };
    const profile = await fetch(`${base}/api/v1/profile`, { headers: { authorization: `Bearer ${token}` } });
    expect(profile.status).toBe(200);
    const httpLines = access().filter((l) => l['msg'] === 'http request');
    expect(httpLines.map((l) => [l['method'], l['route'], l['status']])).toEqual([
      ['POST', '/api/v1/auth/login', 401],
      ['POST', '/api/v1/auth/login', 200],
      ['GET', '/api/v1/profile', 200],
    ]);
    expect(httpLines[2]).toMatchObject({ actor: aliceId, ip: '127.0.0.1' });
    expect(raw).not.toContain(token);
    expect(raw).not.toContain('not-it');
  });

  it('rate-limits a brute-force flood: at most 20 lines per address, operation and result a minute', async () => {
    const before = access().filter((l) => l['op'] === 'bind' && l['result'] === 49).length;
    const client = new Client({ url: ldapUrl() });
    for (let i = 0; i < 60; i++) {
      await expect(client.bind(`uid=alice,ou=users,${SUFFIX}`, `attempt ${i}`)).rejects.toThrow(InvalidCredentialsError);
    }
    await client.unbind();
    const failed = access().filter((l) => l['op'] === 'bind' && l['result'] === 49 && l['suppressed'] === undefined).length;
    expect(before).toBe(1);
    expect(failed).toBe(20);
    // The summary of the suppressed ones comes when the window ends (or at shutdown).
    await daemon.stop('test', 5000);
    const summary = access().find((l) => l['suppressed'] !== undefined);
    expect(summary).toMatchObject({ peer: '127.0.0.1', op: 'bind', result: 49, suppressed: 41 });
  });
});

/** `pgdir serve` writes access lines through its own buffered writer: they leave within a second and at shutdown. */
describe('access log of pgdir serve', () => {
  it('flushes buffered access lines within a second, and the last ones at SIGTERM', async () => {
    const dir = await createPGliteDataDir();
    try {
      const config = await writeTestConfig(dir.path, dir.path, 'log_access_placeholder: 0\n');
      await writeFile(config, (await readFile(config, 'utf8')).replace('log_access_placeholder: 0\n', '').replace('  format: json\n', '  format: json\n  access: all\n'));
      const serve = startServe(config, dir.path);
      await waitFor('ready', async () => ((await daemonStatus(dir.path))?.state === 'ready' ? true : undefined), 120_000);
      const url = `http://${/listen: (127\.0\.0\.1:\d+)\n/.exec(await readFile(config, 'utf8'))?.[1] ?? ''}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const line = await waitFor('the access line', async () => serve.logs().find((l) => l['component'] === 'access' && l['route'] === '/healthz'), 5_000);
      expect(line).toMatchObject({ method: 'GET', status: 200, msg: 'http request' });
      await fetch(`${url}/readyz`);
      serve.child.kill('SIGTERM');
      await serve.exited;
      expect(serve.logs().some((l) => l['component'] === 'access' && l['route'] === '/readyz')).toBe(true);
    } finally {
      await dir.remove();
    }
  }, 180_000);
});
