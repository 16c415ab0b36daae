import { Writable } from 'node:stream';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonContext } from '../../../src/app.js';
import { systemActor } from '../../../src/domain/actor.js';
import { loadConfig } from '../../../src/config/index.js';
import { createLdapService, type LdapService } from '../../../src/ldap/ldap-service.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { createTempDir, createTestDatabase } from '../../helpers/databases.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const SUFFIX = 'dc=example,dc=com';

/**
 * Issue 20, defect 1: with PostgreSQL unreachable (here: stalled behind a TCP proxy the test owns,
 * so the shared server keeps serving everyone else), new LDAPS binds of the admin, a service
 * account and a user still work from the in-memory view; the throttle counts in-process and says
 * so once in the log, and once more when the database is back.
 */
describe('binds during a PostgreSQL outage', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  let proxy: TcpProxy;
  let daemon: Daemon;
  let ldap: LdapService;
  /** Generated at the first start and kept (as a digest) in the settings table: not pinned. */
  let ADMIN_SECRET: string;
  const lines: Record<string, unknown>[] = [];

  const client = () => new Client({ url: ldap.server.addresses()[0]?.url ?? '', timeout: 10_000, connectTimeout: 5_000, tlsOptions: { rejectUnauthorized: false } });
  async function bindsAs(dn: string, password: string): Promise<'ok' | 'invalid' | string> {
    const c = client();
    try {
      await c.bind(dn, password);
      return 'ok';
    } catch (err) {
      return err instanceof InvalidCredentialsError ? 'invalid' : String(err);
    } finally {
      await c.unbind().catch(() => undefined);
    }
  }
  const logged = (msg: RegExp) => lines.filter((l) => typeof l['msg'] === 'string' && msg.test(l['msg'])).length;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await createTempDir();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const file = join(dir.path, 'pgdir.yaml');
    const url = new URL(db.url);
    url.port = String(proxy.port);
    await writeFile(
      file,
      [
        `data_dir: ${dir.path}`,
        `database:`,
        `  url: ${url.href}`,
        'http:',
        '  listen: 127.0.0.1:0',
        'ldap:',
        `  suffix: ${SUFFIX}`,
        '  listen: [ "ldaps://127.0.0.1:0" ]',
        'bcrypt:',
        '  cost: 4',
        'auth_throttle:',
        '  max_failures: 3',
      ].join('\n'),
    );
    const { config } = loadConfig({ path: file, env: {} });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink });
    daemon = await startDaemon(config, logger, { services: [async (ctx: DaemonContext) => (ldap = await createLdapService(ctx))] });
    const { context } = daemon;
    await context.directory.users.addUser({ username: 'alice', email: 'alice@example.com', password: 'alice password' }, systemActor());
    const secretHash = await context.hasher.hash('service secret 1');
    await context.store.write((tx) => tx.insertServiceAccount({ name: 'app', secretHash, allowedCidrs: [], privileged: false }));
    ADMIN_SECRET = await readFile(join(dir.path, 'admin-secret'), 'utf8');
    // A last change just before the outage: the admin secret's cache is marked for a re-read.
    await context.directory.users.addUser({ username: 'bob', email: 'bob@example.com', password: 'bob password' }, systemActor());
    await ldap.view.catchUp();
  }, 60_000);

  afterAll(async () => {
    proxy?.resume();
    await daemon?.stop('test', 5000);
    await proxy?.close();
    await db?.drop();
    await dir?.remove();
  });

  it('admin, service account and user bind on new connections while the database is stalled', async () => {
    proxy.stall();
    await new Promise((resolve) => setTimeout(resolve, 3000)); // past the throttle's refresh interval
    const started = performance.now();
    expect(await bindsAs(`cn=admin,ou=system,${SUFFIX}`, ADMIN_SECRET)).toBe('ok');
    expect(await bindsAs(`cn=app,ou=system,${SUFFIX}`, 'service secret 1')).toBe('ok');
    expect(await bindsAs(`uid=alice,ou=users,${SUFFIX}`, 'alice password')).toBe('ok');
    expect(await bindsAs(`uid=alice,ou=users,${SUFFIX}`, 'wrong')).toBe('invalid');
    expect(await bindsAs(`uid=nobody,ou=users,${SUFFIX}`, 'alice password')).toBe('invalid');
    // At most one wait for the database (the throttle's 1 s timeout), then in-process counting.
    expect(performance.now() - started).toBeLessThan(8000);
    expect(daemon.context.throttle.mode).toBe('local');
    expect(logged(/database is unreachable/)).toBe(1);
  }, 30_000);

  it('throttles in-process meanwhile: past max_failures the right password fails from that source', async () => {
    const dn = `uid=alice,ou=users,${SUFFIX}`;
    // One wrong bind was counted above; two more reach the limit of 3.
    expect(await bindsAs(dn, 'wrong again')).toBe('invalid');
    expect(await bindsAs(dn, 'wrong a third time')).toBe('invalid');
    expect(await bindsAs(dn, 'alice password')).toBe('invalid');
    expect(await bindsAs(`cn=admin,ou=system,${SUFFIX}`, ADMIN_SECRET)).toBe('ok');
    expect(logged(/database is unreachable/)).toBe(1);
  }, 30_000);

  it('says once that the database is back', async () => {
    proxy.resume();
    const until = Date.now() + 15_000;
    while (daemon.context.throttle.mode !== 'database' && Date.now() < until) {
      await bindsAs(`cn=admin,ou=system,${SUFFIX}`, ADMIN_SECRET); // binds drive the background refresh
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(daemon.context.throttle.mode).toBe('database');
    expect(logged(/database is reachable again/)).toBe(1);
    expect(logged(/database is unreachable/)).toBe(1);
  }, 30_000);
});
