import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { readImportFile } from '../../../src/directory/transfer/import-rows.js';
import { importUsers } from '../../../src/directory/transfer/user-import.js';
import type { Progress } from '../../../src/domain/progress.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { createPGliteDataDir, createTestDatabase } from '../../helpers/databases.js';

/**
 * The batched import (issue 12) on both stores: the directory check in bulk gives the same
 * per-row report as the one-by-one check did, a batch the database refuses is retried row by
 * row (only the offending row fails; atomic writes nothing), and progress is reported.
 */
const actor = systemActor();
const csv = (rows: string[]): string => ['username,email,full name', ...rows].join('\n');
const users = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `user${from + i},user${from + i}@example.com,User ${from + i}`);

/** A store whose import sees a stale directory check, as when a concurrent writer takes a name after it. */
const staleCheck = (store: Store): Store =>
  ({
    mode: store.mode,
    write: (fn) => store.write((tx) => fn({ ...tx, takenUserKeys: async () => ({ usernames: new Set(), emails: new Set(), ids: new Set() }) })),
  }) as Pick<Store, 'mode' | 'write'> as Store;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`batched users import (${kind})`, { timeout: 60_000 }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      if (kind === 'pglite') {
        const dir = await createPGliteDataDir();
        store = await openStore({ dataDir: dir.path });
        cleanup = () => dir.remove();
      } else {
        const db = await createTestDatabase();
        store = await openStore({ url: db.url, dataDir: '/nonexistent', listen: false });
        cleanup = () => db.drop();
      }
      await store.write((tx) => tx.insertUser({ username: 'Carol', email: 'Carol@Example.com', displayName: 'Carol' }));
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('reports clashes with the directory by row, case-insensitively, across batches; atomic writes nothing', async () => {
      const rows = [...users(1, 5), 'carol,new@example.com,', 'dave,CAROL@example.com,', ...users(6, 8)];
      const report = await importUsers(store, actor, readImportFile('text/csv', csv(rows)), 'atomic', { batchSize: 3 });
      expect(report).toEqual({
        created: 0,
        errors: [
          { row: 6, field: 'username', message: 'username "carol" is already taken' },
          { row: 7, field: 'email', message: 'email "carol@example.com" is already in use' },
        ],
      });
      expect((await store.listUsers()).total).toBe(1);
    });

    it('partial writes the valid rows in batches, each audited like a single create, with progress', async () => {
      const progress: Progress[] = [];
      const rows = [...users(11, 17), 'carol,x@example.com,'];
      const report = await importUsers(store, actor, readImportFile('text/csv', csv(rows)), 'partial', { batchSize: 3, onProgress: (p) => progress.push(p) });
      expect(report).toEqual({ created: 7, errors: [{ row: 8, field: 'username', message: 'username "carol" is already taken' }] });
      const user17 = await store.findUserByUsername('user17');
      expect(user17).toMatchObject({ email: 'user17@example.com', displayName: 'User 17', passwordHash: null, active: true });
      const audit = await store.listAudit({ action: 'user.create', target: user17?.id ?? '' });
      expect(audit.map((a) => a.details)).toEqual([expect.objectContaining({ password: false, import: true, after: expect.objectContaining({ username: 'user17' }) })]);
      expect(progress.at(-1)).toEqual({ phase: 'writing', done: 7, total: 7 });
      expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['validating', 'checking', 'writing']));
    });

    it('a batch the database refuses is retried row by row: only the offending row fails', async () => {
      const rows = [...users(21, 24), 'carol,late@example.com,', ...users(25, 27)];
      const partial = await importUsers(staleCheck(store), actor, readImportFile('text/csv', csv(rows)), 'partial', { batchSize: 3 });
      expect(partial).toEqual({ created: 7, errors: [{ row: 5, field: 'username', message: 'username "carol" is already taken' }] });
      expect(await store.findUserByUsername('user27')).toBeDefined();
      const before = (await store.listUsers()).total;
      const atomicRows = [...users(31, 34), 'carol,later@example.com,', ...users(35, 36)];
      const atomic = await importUsers(staleCheck(store), actor, readImportFile('text/csv', csv(atomicRows)), 'atomic', { batchSize: 3 });
      expect(atomic).toEqual({ created: 0, errors: [{ row: 5, field: 'username', message: 'username "carol" is already taken' }] });
      expect((await store.listUsers()).total).toBe(before);
      expect(await store.findUserByUsername('user31')).toBeUndefined();
    });

    it('revisions stay gapless: one change row per created user', async () => {
      const from = await store.revision();
      await importUsers(store, actor, readImportFile('text/csv', csv(users(41, 45))), 'atomic', { batchSize: 2 });
      const changes = await store.changesSince(from);
      expect(changes.map((c) => c.revision)).toEqual([1, 2, 3, 4, 5].map((i) => from + i));
      expect(new Set(changes.map((c) => c.kind))).toEqual(new Set(['user']));
    });
  });
}
