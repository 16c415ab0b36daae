import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectDatabase } from '../../src/store/connect-database.js';
import { applyMigrations, readMigrationStatus } from '../../src/store/migrate.js';
import { migrationStatus, runMigrations } from '../../src/store/open-store.js';
import { silentLogger } from '../../src/store/store-logger.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { createTempDir, createTestDatabase } from '../helpers/databases.js';

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

    it('runs each step in its own transaction and reports steps it does not know', async () => {
      const connection = await connectDatabase({ url: database.url, dataDir: dir.path }, silentLogger);
      try {
        const steps = [
          ...MIGRATIONS,
          { name: '9998_ok', statements: ['CREATE TABLE t_ok (x int)'] },
          { name: '9999_bad', statements: ['CREATE TABLE t_bad (x int)', 'SELECT * FROM no_such_table'] },
        ];
        await expect(applyMigrations(connection.db, silentLogger, steps)).rejects.toMatchObject({
          kind: 'internal',
          message: expect.stringMatching(/^database migration 9999_bad failed: .*no_such_table/),
        });
        const tables = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE tablename IN ('t_ok', 't_bad')`.execute(connection.db);
        expect(tables.rows.map((r) => r.name)).toEqual(['t_ok']);
        expect((await readMigrationStatus(connection.db, steps)).pending).toEqual(['9999_bad']);
        expect((await readMigrationStatus(connection.db)).unknown).toEqual(['9998_ok']);
      } finally {
        await connection.close();
      }
    });
  });
});
