import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonContext } from '../../src/app.js';
import { systemActor } from '../../src/domain/actor.js';
import { loadConfig } from '../../src/config/index.js';
import { createHttpService } from '../../src/http/http-service.js';
import { httpServiceFactory } from '../../src/http/http-service-factory.js';
import { createLdapService, type LdapService } from '../../src/ldap/ldap-service.js';
import { createLogger } from '../../src/log/create-logger.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

const ADMIN_SECRET = 'admin-secret-for-tests';
const SUFFIX = 'dc=example,dc=com';

/** `pgdir serve` in-process with the LDAP and HTTP services: API changes are visible over LDAP. */
describe.each(storeModes)('HTTP API inside the daemon on $mode', (mode) => {
  let fixture: StoreFixture;
  let daemon: Daemon;
  let http: ReturnType<typeof createHttpService>;
  let ldap: LdapService;
  let token: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${http.address().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const ldapClient = () => new Client({ url: ldap.server.addresses()[0]?.url ?? '' });
  const eventually = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    const until = Date.now() + 2000;
    for (;;) {
      const value = await fn();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeAll(async () => {
    fixture = await mode.create();
    const file = join(fixture.options.dataDir, 'pgdir.yaml');
    const yaml = [
      `data_dir: ${fixture.options.dataDir}`,
      ...(fixture.url === undefined ? [] : [`database:`, `  url: ${fixture.url}`]),
      'http:',
      '  listen: 127.0.0.1:0',
      'ldap:',
      `  suffix: ${SUFFIX}`,
      '  listen: [ "ldap://127.0.0.1:0" ]',
      `  admin_password: ${ADMIN_SECRET}`,
      'bcrypt:',
      '  cost: 4',
    ].join('\n');
    await writeFile(file, yaml);
    const { config } = loadConfig({ path: file, env: {} });
    const logger = createLogger({ level: 'silent' });
    daemon = await startDaemon(config, logger, {
      services: [
        async (ctx: DaemonContext) => (ldap = await createLdapService(ctx)),
        (ctx: DaemonContext) =>
          (http = httpServiceFactory({
            readiness: { view: () => ldap.view.stats().users >= 0 },
            onDirectoryServerChange: () => undefined,
          })(ctx) as ReturnType<typeof createHttpService>),
      ],
    });
    await daemon.context.directory.users.addUser({ username: 'boss', email: 'boss@example.com', password: 'boss password', role: 'owner' }, systemActor());
    const res = await fetch(`${http.address().url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'boss', password: 'boss password' }),
    });
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await daemon?.stop('test', 5000);
    await fixture?.cleanup();
  });

  it('is ready, reports the admin secret as locked, and a user created over HTTP binds over LDAP', async () => {
    expect((await call('GET', '/readyz')).body).toEqual({ status: 'ready', checks: { store: 'ok', view: 'ok' } });
    expect((await call('GET', '/api/v1/settings/directory-server')).body.secretLocked).toBe(true);
    const created = await call('POST', '/api/v1/users', { username: 'ldapper', email: 'ldapper@example.com', fullName: 'L. Dapper', password: 'ldapper password' });
    expect(created.status).toBe(201);
    const client = ldapClient();
    try {
      await client.bind(`cn=admin,ou=system,${SUFFIX}`, ADMIN_SECRET);
      const found = await eventually(
        () => client.search(`ou=users,${SUFFIX}`, { filter: '(uid=ldapper)', attributes: ['displayName', 'mail'] }),
        (r) => r.searchEntries.length === 1,
      );
      expect(found.searchEntries[0]).toMatchObject({ dn: `cn=uid-${created.body.id},ou=users,${SUFFIX}`, displayName: 'L. Dapper', mail: 'ldapper@example.com' });
    } finally {
      await client.unbind();
    }
    const userClient = ldapClient();
    await eventually(
      () => userClient.bind(`cn=uid-${created.body.id},ou=users,${SUFFIX}`, 'ldapper password').then(() => true, () => false),
      (ok) => ok,
    );
    await userClient.unbind();

    // Disabled over HTTP: the bind fails at once.
    expect((await call('PUT', `/api/v1/users/${created.body.id}/active`, { active: false })).status).toBe(200);
    const refused = await eventually(
      () => ldapClient().bind(`cn=uid-${created.body.id},ou=users,${SUFFIX}`, 'ldapper password').then(() => 'bound', (e: Error) => e.constructor.name),
      (r) => r !== 'bound',
    );
    expect(refused).toBe('InvalidCredentialsError');
  });

  it('a group change over HTTP shows in memberOf', async () => {
    const group = await call('POST', '/api/v1/groups', { name: 'wiki-editors' });
    const user = await call('POST', '/api/v1/users', { username: 'editor', email: 'editor@example.com', password: 'editor password' });
    await call('PUT', `/api/v1/users/${user.body.id}/groups`, { groupIds: [group.body.id] });
    const client = ldapClient();
    try {
      await client.bind(`cn=admin,ou=system,${SUFFIX}`, ADMIN_SECRET);
      const found = await eventually(
        () => client.search(`ou=users,${SUFFIX}`, { filter: '(uid=editor)', attributes: ['memberOf'] }),
        // The built-in users group shows first: wait for the new group itself.
        (r) => [r.searchEntries[0]?.['memberOf'] ?? []].flat().includes(`cn=wiki-editors,ou=groups,${SUFFIX}`),
      );
      expect(found.searchEntries[0]?.['memberOf']).toEqual([`cn=users,ou=groups,${SUFFIX}`, `cn=wiki-editors,ou=groups,${SUFFIX}`]);
    } finally {
      await client.unbind();
    }
  });
});
