import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationStatus, runMigrations } from '../src/store/open-store.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { createTempDir, createTestDatabase } from './helpers/databases.js';

describe('migrations', () => {
  it('are uniquely named, in order, and non-empty', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
    for (const m of MIGRATIONS) {
      expect(m.name).toMatch(/^\d{4}_[a-z0-9_]+$/);
      expect(m.statements.length).toBeGreaterThan(0);
    }
  });

  describe('on PostgreSQL', () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let dir: Awaited<ReturnType<typeof createTempDir>>;
    beforeAll(async () => {
      [database, dir] = await Promise.all([createTestDatabase(), createTempDir()]);
    });
    afterAll(async () => {
      await database?.drop();
      await dir?.remove();
    });

    it('applies each step exactly once when replicas migrate at the same time', async () => {
      const options = { url: database.url, dataDir: dir.path };
      const results = await Promise.all([runMigrations(options), runMigrations(options), runMigrations(options)]);
      const applied = results.flatMap((r) => r.applied);
      expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name));
      const status = await migrationStatus(options);
      expect(status.pending).toEqual([]);
      expect(status.migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    });
  });
});
