import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore, type OpenStoreOptions } from '../../src/store/open-store.js';

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
 * PGlite data directories made once per machine and copied per test: initdb costs seconds and
 * running every migration in WASM many more (PGlite runs each statement in this thread), while a
 * copy of a cleanly closed cluster costs milliseconds. Two templates: freshly initialised, and
 * migrated (named for the migration set, so a new or changed step makes a new one; the steps
 * insert no data but store_revision's row, so a copy is what migrating a fresh directory gives).
 * Each is built in a private directory and renamed into place, so parallel test files never see
 * half a template.
 */
const PGLITE_VERSION = (
  JSON.parse(
    readFileSync(join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8'),
  ) as { version: string }
).version;
const execFileAsync = promisify(execFile);
const TEMPLATE = join(tmpdir(), `pgdir-test-pglite-template-${process.getuid?.() ?? 0}-${PGLITE_VERSION}`);
const MIGRATED = `${TEMPLATE}-migrated-${createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 16)}`;
let templateReady: Promise<string> | undefined;
let migratedReady: Promise<string> | undefined;

/** Builds `target` once: `build(dir)` fills a private directory's `data`, which is renamed into place. */
async function buildOnce(target: string, build: (data: string) => Promise<void>): Promise<string> {
  if (existsSync(join(target, 'PG_VERSION'))) return target;
  const building = await mkdtemp(join(tmpdir(), 'pgdir-test-template-'));
  try {
    await build(join(building, 'data'));
    await rename(join(building, 'data'), target).catch(() => undefined); // another file won the race
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return target;
}

function pgliteTemplate(migrated: boolean): Promise<string> {
  templateReady ??= buildOnce(TEMPLATE, async (data) => {
    const db = await PGlite.create({ dataDir: data });
    await db.close();
  });
  if (!migrated) return templateReady;
  migratedReady ??= buildOnce(MIGRATED, async (data) => {
    await copyTree(await pgliteTemplate(false), data);
    // openStore keeps PGlite in <dataDir>/pglite: migrate there, then keep just that directory.
    const dataDir = dirname(data);
    await rename(data, join(dataDir, 'pglite'));
    await (await openStore({ dataDir })).close();
    await rename(join(dataDir, 'pglite'), data);
  });
  return migratedReady;
}

/**
 * A temp data_dir whose `pglite` directory is a copy of a template: migrated (the default), or
 * freshly initialised with `{ migrated: false }` (for tests of migrating itself).
 */
export async function createPGliteDataDir(options: { migrated?: boolean } = {}): Promise<{ path: string; remove(): Promise<void> }> {
  const [dir, template] = await Promise.all([createTempDir(), pgliteTemplate(options.migrated !== false)]);
  await copyTree(template, join(dir.path, 'pglite'));
  return dir;
}

/** `cp -R` where there is one: about half the CPU of fs.cp for a cluster's ~1,000 files. */
async function copyTree(from: string, to: string): Promise<void> {
  try {
    await execFileAsync('cp', ['-R', from, to]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await cp(from, to, { recursive: true });
  }
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
