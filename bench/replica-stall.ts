/**
 * Replica propagation with a healthy and with a stalled LISTEN connection, and /readyz latency
 * while the database connection is stalled (issue 20, defects 2 and 3). Two daemons in this
 * process on one PostgreSQL test database; B reaches it through a TCP proxy that stops forwarding
 * without closing (test/helpers/stall-proxy.ts). Run: `npx tsx bench/replica-stall.ts`.
 * Needs the test PostgreSQL at 127.0.0.1:5432 (PGDIR_TEST_PG_URL). Default intervals (5 s check).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { defaultServices, startDaemon, type Service } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { systemActor } from '../src/domain/actor.js';
import type { HttpService } from '../src/http/http-service.js';
import type { LdapService } from '../src/ldap/ldap-service.js';
import { createLogger } from '../src/log/create-logger.js';
import { createTempDir, createTestDatabase, TEST_SERVER_URL } from '../test/helpers/databases.js';
import { StallProxy } from '../test/helpers/stall-proxy.js';

const SUFFIX = 'dc=example,dc=com';
const SECRET = 'admin-secret-for-tests';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function replica(dir: string, url: string) {
  const file = join(dir, 'pgdir.yaml');
  const yaml = [`data_dir: ${dir}`, 'database:', `  url: ${url}`, 'http:', '  listen: 127.0.0.1:0', 'ldap:', '  listen: [ "ldap://127.0.0.1:0" ]', `  admin_password: ${SECRET}`, 'bcrypt:', '  cost: 4'];
  await writeFile(file, yaml.join('\n'));
  const { config } = loadConfig({ path: file, env: {} });
  const parts: { ldap?: LdapService; http?: HttpService } = {};
  const services = defaultServices().map((factory) => async (ctx: Parameters<typeof factory>[0]) => {
    const service: Service = await factory(ctx);
    if (service.name === 'ldap') parts.ldap = service as LdapService;
    if (service.name === 'http') parts.http = service as HttpService;
    return service;
  });
  const daemon = await startDaemon(config, createLogger({ level: 'silent' }), { services });
  return { daemon, ldap: parts.ldap as LdapService, http: parts.http as HttpService };
}

const server = new URL(TEST_SERVER_URL);
const [database, proxy, dirA, dirB] = await Promise.all([
  createTestDatabase(),
  StallProxy.start({ host: server.hostname, port: Number(server.port || 5432) }),
  createTempDir(),
  createTempDir(),
]);
const a = await replica(dirA.path, database.url);
// Every replica needs the first one's sealing key (docs/scaling.md), or it refuses to start.
await copyFile(join(dirA.path, 'totp.key'), join(dirB.path, 'totp.key'));
const b = await replica(dirB.path, proxy.url(database.url));
const client = new Client({ url: b.ldap.server.addresses()[0]?.url ?? '' });
try {
  await client.bind(`cn=admin,ou=system,${SUFFIX}`, SECRET);
  const add = (username: string) => a.daemon.context.directory.users.addUser({ username, email: `${username}@example.org`, password: 'a password', role: 'user' }, systemActor());
  /** ms from the commit on A until B's LDAP finds the user (or null after 30 s). */
  const propagation = async (username: string): Promise<number | null> => {
    await add(username);
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      const { searchEntries } = await client.search(SUFFIX, { scope: 'sub', filter: `(uid=${username})` });
      if (searchEntries.length === 1) return Date.now() - started;
      await sleep(10);
    }
    return null;
  };
  const healthy: (number | null)[] = [];
  for (let i = 0; i < 5; i++) healthy.push(await propagation(`healthy${i}`));
  const stalled: (number | null)[] = [];
  for (let i = 0; i < 5; i++) {
    proxy.stallListeners();
    await sleep(1_000 + Math.random() * 5_000); // anywhere in the check interval
    stalled.push(await propagation(`stalled${i}`));
  }
  proxy.stallAll();
  const readyz: { ms: number; status: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    const res = await fetch(`${b.http.address().url}/readyz`, { signal: AbortSignal.timeout(60_000) });
    await res.text();
    readyz.push({ ms: Date.now() - started, status: res.status });
  }
  proxy.resume();
  console.log(JSON.stringify({ healthyMs: healthy, stalledListenMs: stalled, readyzWhileStalled: readyz }));
} finally {
  proxy.resume();
  await client.unbind().catch(() => undefined);
  await Promise.all([a.daemon.stop('bench', 5_000), b.daemon.stop('bench', 5_000)]);
  await proxy.close();
  await database.drop();
  await Promise.all([dirA.remove(), dirB.remove()]);
}
