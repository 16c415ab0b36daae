import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/domain/errors.js';
import { migrationStatus, openStore, runMigrations } from '../../src/store/open-store.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';

describe('store on PGlite: the embedded data directory', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;

  beforeAll(async () => {
    dir = await createTempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('creates <dataDir>/pglite, keeps data across reopen and continues the uid sequence', async () => {
    const first = await openStore({ dataDir: dir.path });
    const alice = await first.write((tx) => tx.insertUser({ username: 'alice', email: 'alice@example.com' }));
    await first.close();
    expect(existsSync(join(dir.path, 'pglite', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir.path, 'pglite.lock'))).toBe(false);

    const second = await openStore({ dataDir: dir.path });
    try {
      expect(await second.findUserByUsername('ALICE')).toEqual(alice);
      expect(await second.revision()).toBe(1);
      const bob = await second.write((tx) => tx.insertUser({ username: 'bob', email: 'bob@example.com' }));
      expect(bob.uidNumber).toBe(alice.uidNumber + 1);
    } finally {
      await second.close();
    }
  });

  it('refuses a second store on the same directory while one is open', async () => {
    const store = await openStore({ dataDir: dir.path });
    try {
      const error = await openStore({ dataDir: dir.path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryError);
      expect(error).toMatchObject({ kind: 'unavailable' });
      expect(await store.revision()).toBeGreaterThan(0); // the first store is unharmed
    } finally {
      await store.close();
    }
  });

  it('takes over a lock file left by a process that is gone', async () => {
    writeFileSync(join(dir.path, 'pglite.lock'), '2147483646\n');
    const store = await openStore({ dataDir: dir.path });
    expect(await store.findUserByUsername('alice')).toBeDefined();
    await store.close();
  });

  it('runs and reports migrations for `pgdir migrate` when no store is open', async () => {
    const fresh = await createPGliteDataDir({ migrated: false });
    try {
      const before = await migrationStatus({ dataDir: fresh.path });
      expect(before.pending).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await runMigrations({ dataDir: fresh.path })).toEqual({ applied: MIGRATIONS.map((m) => m.name) });
      expect(await runMigrations({ dataDir: fresh.path })).toEqual({ applied: [] });
      const after = await migrationStatus({ dataDir: fresh.path });
      expect(after.pending).toEqual([]);
      expect(after.unknown).toEqual([]);
      expect(after.migrations.every((m) => m.appliedAt instanceof Date)).toBe(true);
    } finally {
      await fresh.remove();
    }
  });

  it('opens without migrating when asked, so `migrate: false` leaves the schema alone', async () => {
    const fresh = await createPGliteDataDir({ migrated: false });
    try {
      const store = await openStore({ dataDir: fresh.path, migrate: false });
      await expect(store.revision()).rejects.toThrow();
      await store.close();
      expect((await migrationStatus({ dataDir: fresh.path })).pending).toHaveLength(MIGRATIONS.length);
    } finally {
      await fresh.remove();
    }
  });
});
