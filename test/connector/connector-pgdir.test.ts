import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connector/connector.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { runPgdir, startServe, waitReady, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/** pgdir mirrors pgdir (provider `pgdir`): a second pgdir process is the source. */

const SUFFIX = 'dc=source,dc=test';

describe('connector with another pgdir as the source', () => {
  let dir: { path: string; remove(): Promise<void> };
  let serve: ServeProcess;
  let configFile: string;
  let target: { path: string; remove(): Promise<void> };
  let store: Store;
  let connector: Connector;
  const cli = (args: string[], input?: string) => runPgdir([...args, '--config', configFile], { cwd: dir.path, ...(input ? { input } : {}) });

  beforeAll(async () => {
    dir = await createTempDir();
    const dataDir = join(dir.path, 'data');
    configFile = await writeTestConfig(dir.path, dataDir);
    const yaml = await readFile(configFile, 'utf8');
    const port = /ldaps:\/\/127\.0\.0\.1:(\d+)/.exec(yaml)?.[1];
    await writeFile(configFile, yaml.replace('ldap:\n', `ldap:\n  suffix: ${SUFFIX}\n`));
    serve = startServe(configFile, dir.path);
    await waitReady(serve, dataDir);
    for (const [name, pw] of [['alice', 'alice-password-1'], ['bob', 'bob-password-1']] as const) {
      const added = await cli(['users', 'add', '--username', name, '--email', `${name}@example.com`, '--name', `${name} Source`, '--password-stdin'], pw);
      expect(added.code, added.stderr).toBe(0);
    }
    expect((await cli(['groups', 'add', 'devs'])).code).toBe(0);
    expect((await cli(['groups', 'add-member', 'devs', 'alice'])).code).toBe(0);
    const secret = (await readFile(join(dataDir, 'admin-secret'), 'utf8')).trim();
    target = await createPGliteDataDir();
    store = await openStore({ dataDir: target.path });
    connector = createConnector({
      store,
      pinned: { provider: 'pgdir', url: `ldaps://127.0.0.1:${port}`, ca_file: join(dataDir, 'tls', 'cert.pem'), base_dn: SUFFIX, bind_dn: `cn=admin,ou=system,${SUFFIX}`, bind_password: secret },
    });
  }, 120_000);

  afterAll(async () => {
    await connector?.close();
    await store?.close();
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    await Promise.all([dir?.remove(), target?.remove()]);
  });

  it('mirrors the users and groups of the other pgdir, with their entryUUIDs as ids', async () => {
    const { report } = await connector.sync({ trigger: 'test' });
    expect(report.status, report.error).toBe('ok');
    expect(report.users).toMatchObject({ created: 2, skipped: 0, errors: 0 });
    expect(report.groups).toMatchObject({ created: 1, skipped: 0 });
    const alice = (await store.findUserByUsername('alice'))!;
    expect(alice).toMatchObject({ source: 'ldap', email: 'alice@example.com', displayName: 'alice Source' });
    expect(alice.sourceDn).toMatch(new RegExp(`^cn=uid-[0-9a-f-]{36},ou=users,${SUFFIX}$`));
    expect(alice.sourceId).toBe(/uid-([0-9a-f-]{36})/.exec(alice.sourceDn!)?.[1]);
    const devs = (await store.findGroupByName('devs'))!;
    expect(await store.groupMemberIds(devs.id)).toEqual([alice.id]);
    expect((await connector.sync({ trigger: 'test' })).report.users.unchanged).toBe(2);
  });

  it('binds of mirrored users pass through to the source pgdir', async () => {
    const alice = (await store.findUserByUsername('alice'))!;
    expect(await connector.verifier.verify(alice, 'alice-password-1')).toBe(true);
    expect(await connector.verifier.verify(alice, 'bob-password-1')).toBe(false);
  });
});
