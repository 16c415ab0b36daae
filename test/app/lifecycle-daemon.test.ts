import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonContext } from '../../src/app.js';
import { systemActor } from '../../src/domain/actor.js';
import { base32Decode, hotp, totpStep } from '../../src/crypto/totp.js';
import { loadConfig } from '../../src/config/index.js';
import { createHttpService } from '../../src/http/http-service.js';
import { httpServiceFactory } from '../../src/http/http-service-factory.js';
import { createLdapService, type LdapService } from '../../src/ldap/ldap-service.js';
import { createLogger } from '../../src/log/create-logger.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../helpers/memory-io.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

const SUFFIX = 'dc=example,dc=com';
const PASSWORD = 'zed password';

/** `pgdir serve` in-process: 2FA and impersonation over real LDAP binds (ldapts), with ldap.totp_suffix on. */
describe.each(storeModes)('lifecycle over LDAP in the daemon on $mode', (mode) => {
  let fixture: StoreFixture;
  let daemon: Daemon;
  let http: ReturnType<typeof createHttpService>;
  let ldap: LdapService;

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${http.address().url}${path}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const bind = async (dn: string, password: string): Promise<'ok' | number> => {
    const client = new Client({ url: ldap.server.addresses()[0]?.url ?? '' });
    try {
      await client.bind(dn, password);
      return 'ok';
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return 49;
      throw error;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
  const login = async (identifier: string, password: string, totpToken?: string) =>
    (await call('POST', '/api/v1/auth/login', undefined, { identifier, password, ...(totpToken === undefined ? {} : { totpToken }) })).body.token as string;

  let file = '';
  beforeAll(async () => {
    fixture = await mode.create();
    file = join(fixture.options.dataDir, 'pgdir.yaml');
    const yaml = [
      `data_dir: ${fixture.options.dataDir}`,
      ...(fixture.url === undefined ? [] : ['database:', `  url: ${fixture.url}`]),
      'http:',
      '  listen: 127.0.0.1:0',
      'ldap:',
      `  suffix: ${SUFFIX}`,
      '  listen: [ "ldap://127.0.0.1:0" ]',
      '  totp_suffix: true',
      'bcrypt:',
      '  cost: 4',
    ].join('\n');
    await writeFile(file, yaml);
    const { config } = loadConfig({ path: file, env: {} });
    daemon = await startDaemon(config, createLogger({ level: 'silent' }), {
      services: [
        async (ctx: DaemonContext) => (ldap = await createLdapService(ctx)),
        (ctx: DaemonContext) => (http = httpServiceFactory({ onDirectoryServerChange: () => undefined })(ctx) as ReturnType<typeof createHttpService>),
      ],
    });
    await daemon.context.directory.users.addUser({ username: 'boss', email: 'boss@example.com', password: 'boss password', role: 'owner' }, systemActor());
    await daemon.context.directory.users.addUser({ username: 'zed', email: 'zed@example.com', password: PASSWORD }, systemActor());
  });
  afterAll(async () => {
    await daemon?.stop('test', 5000);
    await fixture?.cleanup();
  });

  it('enrolled user: +totpToken RDN and password suffix over the wire, replay and wrong codes 49, key file 0600', async () => {
    const token = await login('zed', PASSWORD);
    const secret = (await call('POST', '/api/v1/profile/2fa/secret', token)).body.secret as string;
    expect((await stat(join(fixture.options.dataDir, 'totp.key'))).mode & 0o777).toBe(0o600);
    let step = totpStep(Date.now());
    if ((Date.now() / 1000) % 30 > 24) await new Promise((r) => setTimeout(r, 6500));
    step = totpStep(Date.now());
    const code = (s: number) => hotp(base32Decode(secret), s);
    expect((await call('POST', '/api/v1/profile/2fa/enable', token, { totpToken: code(step - 1) })).status).toBe(200);
    const boss = await login('boss', 'boss password');
    expect((await call('PUT', '/api/v1/settings/ldap-2fa', boss, { required: true })).status).toBe(200);

    await ldap.view.catchUp();
    expect(await bind(`cn=zed,ou=users,${SUFFIX}`, PASSWORD)).toBe(49); // required, missing
    expect(await bind(`cn=zed+totpToken=${code(step)},ou=users,${SUFFIX}`, PASSWORD)).toBe('ok');
    expect(await bind(`cn=zed+totpToken=${code(step)},ou=users,${SUFFIX}`, PASSWORD)).toBe(49); // replay
    expect(await bind(`uid=zed,ou=users,${SUFFIX}`, PASSWORD + code(step + 5))).toBe(49); // wrong code
    expect(await bind(`uid=zed,ou=users,${SUFFIX}`, PASSWORD + code(step + 1))).toBe('ok');

    const temporary = await call('POST', '/api/v1/users/zed/impersonate', boss);
    expect(temporary.status).toBe(200);
    expect(await bind(`mail=zed@example.com,ou=users,${SUFFIX}`, temporary.body.password)).toBe('ok');
    const uses = await daemon.context.store.listAudit({ action: 'user.impersonation.use' });
    expect(uses[0]?.details).toMatchObject({ via: 'ldap' });
  });

  it('pgdir owner-login goes through the running daemon; the password signs in once', async () => {
    const mem = memoryIo({ cwd: fixture.options.dataDir, env: { PGDIR_CONFIG: file } });
    expect(await main(['owner-login'], mem.io)).toBe(0);
    const password = /\n([A-Za-z0-9_-]{43})\n$/.exec(mem.stdout())?.[1] ?? '';
    expect(mem.stdout()).toContain('one-time password for owner boss');
    const signIn = () => call('POST', '/api/v1/auth/login', undefined, { identifier: 'boss', password });
    expect((await signIn()).status).toBe(200);
    expect((await signIn()).status).toBe(401);
  });
});
