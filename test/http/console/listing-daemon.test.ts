import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDaemon, type Daemon } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { systemActor } from '../../../src/domain/actor.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

/** `pgdir serve`'s own services (app.ts): the users listing is answered by the main thread's view. */
describe.each(storeModes.slice(-1))('the daemon attaches its view to the user listings on $mode', (mode) => {
  let fixture: StoreFixture;
  let daemon: Daemon;

  beforeAll(async () => {
    fixture = await mode.create();
    const file = join(fixture.options.dataDir, 'pgdir.yaml');
    const yaml = [
      `data_dir: ${fixture.options.dataDir}`,
      ...(fixture.url === undefined ? [] : ['database:', `  url: ${fixture.url}`]),
      'http:',
      '  listen: 127.0.0.1:0',
      'ldap:',
      '  listen: [ "ldap://127.0.0.1:0" ]',
      '  admin_password: admin-secret-for-tests',
      'bcrypt:',
      '  cost: 4',
    ].join('\n');
    await writeFile(file, yaml);
    daemon = await startDaemon(loadConfig({ path: file, env: {} }).config, createLogger({ level: 'silent' }));
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop('test', 5000);
    await fixture?.cleanup();
  });

  it('lists a user just added from the view, not the store', async () => {
    const { directory, store } = daemon.context;
    const made = await directory.users.addUser({ username: 'fresh', email: 'fresh@example.com', password: 'fresh password 1' }, systemActor());
    expect(await directory.listing.snapshot()).toBeDefined();
    const asked = vi.spyOn(store, 'listUsers');
    const listed = await directory.listing.listUsers({ search: 'fresh' }, systemActor());
    expect(asked).not.toHaveBeenCalled();
    asked.mockRestore();
    expect(listed.users.map((u) => u.id)).toEqual([made.id]);
  });
});
