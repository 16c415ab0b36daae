import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createDirectoryServices } from '../../src/directory/directory-services.js';
import { openStore } from '../../src/store/open-store.js';
import { createPGliteDataDir } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';

describe('pgdir owner-login without a daemon', () => {
  let data: { path: string; remove(): Promise<void> };
  const run = async (argv: string[], input?: string) => {
    const mem = memoryIo({ cwd: data.path, env: { PGDIR_CONFIG: '', PGDIR_DATA_DIR: data.path, PGDIR_BCRYPT__COST: '4' }, ...(input === undefined ? {} : { input }) });
    const code = await main(argv, mem.io);
    return { code, stdout: mem.stdout(), stderr: mem.stderr() };
  };
  beforeAll(async () => {
    data = await createPGliteDataDir();
  });
  afterAll(async () => {
    await data.remove();
  });

  it('fails clearly without an owner, then prints a password that works once', async () => {
    expect((await run(['owner-login', '--help'])).stdout).toMatch(/^Usage: pgdir owner-login/);
    const none = await run(['owner-login']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('there is no active owner');
    expect((await run(['users', 'add', '--username', 'boss', '--email', 'boss@example.com', '--role', 'owner', '--password-stdin'], 'the owner password\n')).code).toBe(0);
    const printed = await run(['owner-login']);
    expect(printed.code).toBe(0);
    const password = /\n([A-Za-z0-9_-]{43})\n$/.exec(printed.stdout)?.[1] ?? '';
    expect(printed.stdout).toMatch(/^one-time password for owner boss \(valid once, until \d{4}-/);

    const store = await openStore({ dataDir: data.path });
    try {
      const { lifecycle } = createDirectoryServices({ store, bcryptCost: 4 });
      const owner = await store.findUserByUsername('boss');
      expect(owner).toBeDefined();
      if (owner === undefined) return;
      expect(await lifecycle.temporary.check(owner, password, 'http', '127.0.0.1')).toBe('owner_login');
      expect(await lifecycle.temporary.check(owner, password, 'http', '127.0.0.1')).toBeUndefined();
      const audit = (await store.listAudit({})).map((a) => [a.actor, a.action, a.target]);
      expect(audit).toEqual(expect.arrayContaining([['cli', 'user.owner_login', owner.id], ['owner-login', 'user.owner_login.use', owner.id]]));
    } finally {
      await store.close();
    }
  });
});
