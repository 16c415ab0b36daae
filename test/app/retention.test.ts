import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../src/app/retention-service.js';
import { systemActor } from '../../src/domain/actor.js';
import { createUserService } from '../../src/directory/users/user-service.js';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { createDirectoryView, type DirectoryView } from '../../src/directory/view/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

const DAY = 86_400_000;
const RETENTION = { audit: 400 * DAY, change_log: 7 * DAY, interval: 3_600_000 };

/**
 * Retention with a clock the test moves: old audit and change-log rows go, recent ones stay, expired
 * tokens go; a view behind the pruned log reloads and stays right; one replica at a time.
 */
describe.each(storeModes)('retention on $mode', (mode) => {
  let fixture: StoreFixture;
  let store: Store;
  let other: Store;
  let view: DirectoryView;

  beforeAll(async () => {
    fixture = await mode.create();
    store = await openStore(fixture.options);
    other = mode.mode === 'postgres' ? await openStore({ ...fixture.options, listen: false }) : store;
    view = createDirectoryView({ store, suffix: 'dc=example,dc=com' });
    await view.load();
  }, 60_000);
  afterAll(async () => {
    view?.close();
    if (other !== store) await other?.close();
    await store?.close();
    await fixture?.cleanup();
  });

  const count = async (table: 'audit_log' | 'change_log'): Promise<number> => {
    const dump = await store.tables.dump();
    return dump.tables[table]?.rows.length ?? 0;
  };

  it('keeps recent rows, deletes what is older than the retention, and removes expired tokens', async () => {
    const users = createUserService({ store, hasher: createPasswordHasher({ cost: 4 }) });
    const alice = await users.addUser({ username: 'alice', email: 'alice@example.com', password: 'alice password 1' }, systemActor());
    await store.apiTokens.insert({ userId: alice.id, kind: 'session', scope: 'readwrite', tokenHash: 'h-expired', expiresAt: new Date(Date.now() - 1000) });
    await store.apiTokens.insert({ userId: alice.id, kind: 'session', scope: 'readwrite', tokenHash: 'h-live', expiresAt: new Date(Date.now() + DAY) });
    const [audit, changes] = [await count('audit_log'), await count('change_log')];
    expect(audit).toBeGreaterThan(0);
    expect(changes).toBeGreaterThan(0);

    // Today: nothing is old enough; only the expired session goes.
    expect(await runRetention(store, RETENTION)).toEqual({ audit: 0, changes: 0, apiTokens: 1, userTokens: 0 });
    expect(await store.apiTokens.findByHash('h-live')).toBeDefined();
    // Eight days on: the change log goes, the audit log stays.
    expect(await runRetention(store, RETENTION, new Date(Date.now() + 8 * DAY))).toMatchObject({ audit: 0, changes });
    expect(await count('audit_log')).toBe(audit);
    // 401 days on: the audit log goes too; 0 would have kept it.
    expect(await runRetention(store, { ...RETENTION, audit: 0 }, new Date(Date.now() + 401 * DAY))).toMatchObject({ audit: 0 });
    expect(await runRetention(store, RETENTION, new Date(Date.now() + 401 * DAY))).toMatchObject({ audit });
    expect(await count('audit_log')).toBe(0);
  });

  it('a view behind the pruned log reloads and shows the truth', async () => {
    const users = createUserService({ store, hasher: createPasswordHasher({ cost: 4 }) });
    view.close();
    const stale = createDirectoryView({ store: other, suffix: 'dc=example,dc=com' });
    await stale.load();
    stale.close(); // stops following: it misses what comes next, like a replica that was away
    await users.addUser({ username: 'bob', email: 'bob@example.com', password: 'bob password 12' }, systemActor());
    await runRetention(store, RETENTION, new Date(Date.now() + 8 * DAY));
    const revived = createDirectoryView({ store: other, suffix: 'dc=example,dc=com' });
    await revived.load();
    await users.addUser({ username: 'carol', email: 'carol@example.com', password: 'carol password 1' }, systemActor());
    expect(await revived.waitForRevision(await store.revision(), 10_000)).toBe(true);
    for (const name of ['alice', 'bob', 'carol']) expect(revived.resolveBind(`uid=${name},ou=users,dc=example,dc=com`)?.kind, name).toBe('user');
    revived.close();
  });

  it('lets one replica prune at a time', async () => {
    let inside: (() => void) | undefined;
    const held = store.withAdvisoryLock('pgdir-retention', () => new Promise<void>((resolve) => (inside = resolve)));
    await new Promise((r) => setTimeout(r, 50));
    expect(await runRetention(other, RETENTION)).toBeUndefined();
    inside?.();
    await held;
    expect(await runRetention(other, RETENTION)).toBeDefined();
  });
});
