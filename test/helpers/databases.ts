import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { OpenStoreOptions } from '../../src/store/open-store.js';

/** The PostgreSQL server the tests use (test/setup.sh starts it; trust auth for postgres). */
export const TEST_SERVER_URL = process.env['PGDIR_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${TEST_SERVER_URL}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `pgdir_test_<random>`; `drop()` removes it, closing its connections. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `pgdir_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: `${TEST_SERVER_URL}/${name}`,
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function createTempDir(prefix = 'pgdir-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface StoreFixture {
  /** Options for openStore (more stores may be opened on the same database with them). */
  readonly options: OpenStoreOptions & { dataDir: string };
  readonly url: string | undefined;
  cleanup(): Promise<void>;
}

export interface StoreMode {
  readonly mode: 'postgres' | 'pglite';
  create(): Promise<StoreFixture>;
}

/** For `describe.each(storeModes)`: the same suite against PostgreSQL and PGlite (in a temp dir). */
export const storeModes: readonly StoreMode[] = [
  {
    mode: 'postgres',
    create: async () => {
      const [database, dir] = await Promise.all([createTestDatabase(), createTempDir()]);
      return {
        options: { url: database.url, dataDir: dir.path },
        url: database.url,
        cleanup: async () => {
          await database.drop();
          await dir.remove();
        },
      };
    },
  },
  {
    mode: 'pglite',
    create: async () => {
      const dir = await createTempDir();
      return { options: { dataDir: dir.path }, url: undefined, cleanup: () => dir.remove() };
    },
  },
];
