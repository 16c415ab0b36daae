import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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

/**
 * A freshly initialised (not migrated) PGlite data directory, made once per machine and copied
 * per test: initdb costs seconds, a copy of a cleanly closed cluster milliseconds. Migrations
 * still run on every copy. Built in a private directory and renamed into place, so parallel test
 * files never see half a template.
 */
const PGLITE_VERSION = (
  JSON.parse(
    readFileSync(join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8'),
  ) as { version: string }
).version;
const TEMPLATE = join(tmpdir(), `pgdir-test-pglite-template-${process.getuid?.() ?? 0}-${PGLITE_VERSION}`);
let templateReady: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  templateReady ??= (async () => {
    if (existsSync(join(TEMPLATE, 'PG_VERSION'))) return TEMPLATE;
    const building = await mkdtemp(join(tmpdir(), 'pgdir-test-template-'));
    const db = await PGlite.create({ dataDir: join(building, 'data') });
    await db.close();
    await rename(join(building, 'data'), TEMPLATE).catch(() => undefined); // another file won the race
    await rm(building, { recursive: true, force: true });
    return TEMPLATE;
  })();
  return templateReady;
}

/** A temp data_dir whose `pglite` directory is a copy of the initdb template. */
export async function createPGliteDataDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const [dir, template] = await Promise.all([createTempDir(), pgliteTemplate()]);
  await cp(template, join(dir.path, 'pglite'), { recursive: true });
  return dir;
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
      const dir = await createPGliteDataDir();
      return { options: { dataDir: dir.path }, url: undefined, cleanup: () => dir.remove() };
    },
  },
];
