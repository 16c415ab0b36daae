import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, ResultCodeError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app.js';
import { systemActor } from '../../src/domain/actor.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/create-logger.js';
import { JC_SUFFIX, jcUserDn, jumpcloudConnectorYaml, jumpcloudLdif, PASSWORD } from './connector-seeds.js';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { freePort } from '../helpers/pgdir-process.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * The authentication wiring of `pgdir serve` (defaultServices: connector, LDAPS, HTTP) against a
 * real slapd as the external directory: auto-create on first LDAP bind and API login (DESIGN §9),
 * one throttle per account across LDAP and HTTP (§4), service accounts' allowed CIDRs (§3), and
 * paged cursors ended by a re-bind (§5). Clients are real: ldapts over TLS and fetch.
 */

const SUFFIX = 'dc=example,dc=com';
const ADMIN_DN = `cn=admin,ou=system,${SUFFIX}`;
const ADMIN_SECRET = 'admin-secret-for-the-tests';
const MAX_FAILURES = 4;
const users = (rdn: string): string => `${rdn},ou=users,${SUFFIX}`;

/** The LDAP result code a promise fails with (0 when it succeeds). */
async function code(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 0,
    (e: unknown) => {
      if (e instanceof ResultCodeError) return e.code;
      throw e;
    },
  );
}

describe.skipIf(!slapdAvailable())('auth wiring of the daemon with the connector', () => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let pki: TestPki;
  let daemon: Daemon;
  let ldapUrl: string;
  let httpUrl: string;
  const clients: Client[] = [];

  const client = (): Client => {
    const c = new Client({ url: ldapUrl, tlsOptions: { ca: pki.ca, servername: 'localhost' } });
    clients.push(c);
    return c;
  };
  const bound = async (dn: string, password: string): Promise<Client> => {
    const c = client();
    await c.bind(dn, password);
    return c;
  };
  const ldapBind = async (dn: string, password: string): Promise<number> => {
    const c = client();
    return code(c.bind(dn, password)).finally(() => c.unbind());
  };
  const http = async (method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, any> }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const res = await fetch(`${httpUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const login = (identifier: string, password: string) => http('POST', '/api/v1/auth/login', { identifier, password });
  const findUser = (username: string) => daemon.context.store.findUserByUsername(username);
  /** What the directory admin sees over LDAP for `(uid=<username>)`. */
  const listed = async (username: string) => {
    const admin = await bound(ADMIN_DN, ADMIN_SECRET);
    try {
      return (await admin.search(`ou=users,${SUFFIX}`, { filter: `(uid=${username})`, attributes: ['uid', 'mail', 'memberOf'] })).searchEntries;
    } finally {
      await admin.unbind();
    }
  };

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() }), (storeModes[0] ?? storeModes[1])!.create()]);
    pki = createTestPki();
    const [ldapPort, httpPort] = [await freePort(), await freePort()];
    const file = join(fixture.options.dataDir, 'pgdir.yaml');
    await writeFile(
      file,
      [
        `data_dir: ${fixture.options.dataDir}`,
        ...(fixture.url === undefined ? [] : ['database:', `  url: ${fixture.url}`]),
        'log: { level: silent }',
        'bcrypt: { cost: 4 }',
        `auth_throttle: { max_failures: ${MAX_FAILURES}, window: 10m }`,
        `http: { listen: "127.0.0.1:${httpPort}" }`,
        'ldap:',
        `  suffix: ${SUFFIX}`,
        `  listen: [ "ldaps://127.0.0.1:${ldapPort}" ]`,
        `  tls: { cert_file: ${pki.certFile}, key_file: ${pki.keyFile} }`,
        `  admin_password: ${ADMIN_SECRET}`,
        ...jumpcloudConnectorYaml(slapd, READER_PASSWORD),
        '  auto_create: true',
        '  allowed_domains: [example.com]',
        '  timeout: 2s',
      ].join('\n'),
    );
    const { config } = loadConfig({ path: file, env: {} });
    daemon = await startDaemon(config, createLogger({ level: 'silent' }));
    ldapUrl = `ldaps://127.0.0.1:${ldapPort}`;
    httpUrl = `http://127.0.0.1:${httpPort}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
    await daemon?.stop('test', 5000);
    pki?.cleanup();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('an unknown user the source accepts binds over LDAPS: created, bound as its entry, listed', async () => {
    expect(await findUser('alice')).toBeUndefined();
    const alice = await bound(users('uid=alice'), PASSWORD);
    const created = (await findUser('alice'))!;
    expect(created).toMatchObject({ email: 'alice@example.com', source: 'ldap', sourceDn: jcUserDn('alice'), passwordHash: null });
    const whoami = await alice.exop('1.3.6.1.4.1.4203.1.11.3');
    expect(whoami.value).toBe(`dn:${users(`cn=uid-${created.id}`)}`);
    // Listed at once: to the user itself (user_search: self) and to the admin, with its source group.
    const own = await alice.search(users(`cn=uid-${created.id}`), { scope: 'base', attributes: ['uid'] });
    expect(own.searchEntries.map((e) => e.uid)).toEqual(['alice']);
    const seen = await listed('alice');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ dn: users(`cn=uid-${created.id}`), mail: 'alice@example.com', memberOf: expect.arrayContaining([`cn=engineering,ou=groups,${SUFFIX}`]) });
    await alice.unbind();
    // From now on it is a mirrored user: the next bind passes through to the source.
    expect(await ldapBind(users('uid=alice'), PASSWORD)).toBe(0);
    expect(await ldapBind(users('uid=alice'), 'wrong')).toBe(49);
  });

  it('an unknown user the source accepts logs in over the API: created and listed over LDAP', async () => {
    const res = await login('bob@example.com', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'bob', email: 'bob@example.com' });
    expect(typeof res.body.token).toBe('string');
    expect((await http('GET', '/api/v1/profile', undefined, res.body.token as string)).body.username).toBe('bob');
    expect((await findUser('bob'))?.source).toBe('ldap');
    expect(await listed('bob')).toHaveLength(1);
  });

  it('a wrong password is 49 / 401 and creates nothing; a disallowed domain likewise', async () => {
    expect(await ldapBind(users('uid=carol'), 'wrong password')).toBe(49);
    expect(await ldapBind(users('mail=carol@example.com'), 'wrong password')).toBe(49);
    const res = await login('carol', 'wrong password');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('invalid username, email or password');
    expect(await findUser('carol')).toBeUndefined();
    await slapd.modify(`dn: ${jcUserDn('erin')}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: erin\ncn: erin\nsn: erin\nmail: erin@elsewhere.org\nuserPassword: ${PASSWORD}\n\n`);
    expect(await ldapBind(users('uid=erin'), PASSWORD)).toBe(49);
    expect((await login('erin', PASSWORD)).status).toBe(401);
    expect(await findUser('erin')).toBeUndefined();
    expect(await listed('carol')).toHaveLength(0);
  });

  it('the source down: unknown logins answer 52 / 503, never a success, and create nothing', async () => {
    await slapd.stop();
    try {
      expect(await ldapBind(users('uid=carol'), PASSWORD)).toBe(52);
      expect((await login('carol', PASSWORD)).status).toBe(503);
      // The directory admin and local users are unaffected.
      expect(await ldapBind(ADMIN_DN, ADMIN_SECRET)).toBe(0);
    } finally {
      await slapd.start();
    }
    expect(await findUser('carol')).toBeUndefined();
    expect((await login('carol', PASSWORD)).status).toBe(200);
  });

  it('one throttle per account: N-1 failures over HTTP and 1 over LDAP block both doors', async () => {
    await daemon.context.directory.users.addUser({ username: 'tess', email: 'tess@example.com', password: 'tess password' }, systemActor());
    await daemon.context.directory.users.addUser({ username: 'ted', email: 'ted@example.com', password: 'ted password' }, systemActor());
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await login(i % 2 === 0 ? 'tess' : 'TESS@example.com', 'guess')).status).toBe(401);
    // Wait for the view to list tess (she was added behind its back), then fail once over LDAP.
    for (let i = 0; i < 100 && (await listed('tess')).length === 0; i++) await sleep(20);
    expect(await ldapBind(users('uid=tess'), 'guess')).toBe(49);
    // The LDAP door is shut at once; the HTTP process-local copy within its refresh (2 s).
    expect(await ldapBind(users('uid=tess'), 'tess password')).toBe(49);
    await sleep(2_100);
    expect((await login('tess', 'tess password')).status).toBe(401);
    expect(await ldapBind(users('mail=tess@example.com'), 'tess password')).toBe(49);
    // Another account from the same source is not affected.
    expect((await login('ted', 'ted password')).status).toBe(200);
  });

  it('wrong current passwords on the profile count in the same throttle', async () => {
    await daemon.context.directory.users.addUser({ username: 'paula', email: 'paula@example.com', password: 'paula password' }, systemActor());
    const token = (await login('paula', 'paula password')).body.token as string;
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      const res = await http('PUT', '/api/v1/profile/password', { password: 'guess', newPassword: 'a new password' }, token);
      expect([res.status, res.body.error.field]).toEqual([400, 'password']);
    }
    expect((await http('POST', '/api/v1/profile/2fa/disable', { password: 'guess' }, token)).status).toBe(400);
    // Blocked now: even the right current password is refused, and so is a login.
    const blocked = await http('PUT', '/api/v1/profile/password', { password: 'paula password', newPassword: 'a new password' }, token);
    expect([blocked.status, blocked.body.error.field]).toEqual([400, 'password']);
    expect((await login('paula', 'paula password')).status).toBe(401);
  });

  it("service accounts' allowed CIDRs: a bind from outside is 49; inside binds", async () => {
    await daemon.context.directory.users.addUser({ username: 'olive', email: 'olive@example.com', password: 'olive password', role: 'owner' }, systemActor());
    const owner = (await login('olive', 'olive password')).body.token as string;
    const made = await http('POST', '/api/v1/service-accounts', { name: 'office-app', allowedCidrs: ['10.0.0.0/8'] }, owner);
    expect(made.status).toBe(201);
    const dn = `cn=office-app,ou=system,${SUFFIX}`;
    const secret = made.body.secret as string;
    for (let i = 0; i < 100 && (await ldapBind(dn, secret)) !== 49; i++) await sleep(20);
    expect(await ldapBind(dn, secret)).toBe(49);
    expect((await http('PATCH', `/api/v1/service-accounts/${made.body.id as string}`, { allowedCidrs: ['10.0.0.0/8', '127.0.0.0/8'] }, owner)).status).toBe(200);
    let result = -1;
    for (let i = 0; i < 100 && (result = await ldapBind(dn, secret)) !== 0; i++) await sleep(20);
    expect(result).toBe(0);
  });

  it('a re-bind ends the paged searches of the earlier identity (the old cookie is refused)', async () => {
    await daemon.context.directory.users.addUser({ username: 'pat', email: 'pat@example.com', password: 'pat password' }, systemActor());
    for (let i = 0; i < 100 && (await listed('pat')).length === 0; i++) await sleep(20);
    const c = await bound(ADMIN_DN, ADMIN_SECRET);
    const pages = c.searchPaginated(`ou=users,${SUFFIX}`, { filter: '(objectClass=user)', attributes: ['uid'], paged: { pageSize: 1 } });
    const first = await pages.next();
    expect(first.done).toBe(false);
    expect(first.value?.searchEntries).toHaveLength(1);
    await c.bind(users('uid=pat'), 'pat password');
    // The continuation carries the admin's cookie: refused as an unknown cookie (53), no entries.
    expect(await code(pages.next())).toBe(53);
    // The admin, bound again, pages through everything as before.
    await c.bind(ADMIN_DN, ADMIN_SECRET);
    let seen = 0;
    for await (const page of c.searchPaginated(`ou=users,${SUFFIX}`, { filter: '(objectClass=user)', attributes: ['uid'], paged: { pageSize: 1 } })) seen += page.searchEntries.length;
    expect(seen).toBeGreaterThan(3);
  });
});
