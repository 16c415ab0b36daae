import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServices, startDaemon, type Daemon, type Service } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { systemActor } from '../../../src/domain/actor.js';
import type { HttpService } from '../../../src/http/http-service.js';
import type { LdapService } from '../../../src/ldap/ldap-service.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { createTempDir, createTestDatabase } from '../../helpers/databases.js';

const DISABLED = 'the directory server is disabled in the settings: refusing LDAP connections';

/**
 * Issue 11: directory-server settings changed over the API reached the LDAP listeners twice (the
 * route's hook and the change feed). Now the change feed is the one way; the route only waits
 * for it, so the change still holds when the response arrives.
 */
describe('directory-server settings reach LDAP once', { timeout: 60_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  let dir: { path: string; remove(): Promise<void> };
  let daemon: Daemon;
  let ldap: LdapService;
  let http: HttpService;
  let token: string;
  const lines: Record<string, unknown>[] = [];
  const put = (body: unknown) =>
    fetch(`${http.address().url}/api/v1/settings/directory-server`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Resolves true when the listener closes a new connection from 127.0.0.1 without a word. */
  const refused = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: ldap.server.addresses()[0]?.port ?? 0 });
      const timer = setTimeout(() => (socket.destroy(), resolve(false)), 1_000);
      socket.on('error', () => undefined);
      socket.on('close', () => (clearTimeout(timer), resolve(true)));
    });

  beforeAll(async () => {
    [database, dir] = await Promise.all([createTestDatabase(), createTempDir('pgdir-settings-once-')]);
    const file = join(dir.path, 'pgdir.yaml');
    await writeFile(file, [`data_dir: ${dir.path}`, 'database:', `  url: ${database.url}`, 'http:', '  listen: 127.0.0.1:0', 'ldap:', '  listen: [ "ldap://127.0.0.1:0" ]', 'bcrypt:', '  cost: 4'].join('\n'));
    const { config } = loadConfig({ path: file, env: {} });
    const capture = (service: Service): Service => {
      if (service.name === 'ldap') ldap = service as LdapService;
      if (service.name === 'http') http = service as HttpService;
      return service;
    };
    const services = defaultServices().map((factory) => async (ctx: Parameters<typeof factory>[0]) => capture(await factory(ctx)));
    const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
    daemon = await startDaemon(config, createLogger({ level: 'info', destination }), { services });
    await daemon.context.directory.users.addUser({ username: 'boss', email: 'boss@example.com', password: 'boss password', role: 'owner' }, systemActor());
    const login = await fetch(`${http.address().url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'boss', password: 'boss password' }),
    });
    token = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await daemon?.stop('test', 5_000);
    await Promise.all([database?.drop(), dir?.remove()]);
  });

  it('applies a change once, before the response', async () => {
    expect(await refused()).toBe(false);
    const response = await put({ allowlist: '127.0.0.2' });
    expect(response.status).toBe(200);
    expect(await refused()).toBe(true); // in force when the response arrived
    expect((await put({ enabled: false })).status).toBe(200);
    expect(lines.filter((l) => l.msg === DISABLED)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // past the feed's coalescing delay
    expect(lines.filter((l) => l.msg === DISABLED)).toHaveLength(1);
    expect((await put({ enabled: true, allowlist: '127.0.0.1' })).status).toBe(200);
    expect(await refused()).toBe(false);
  });
});
