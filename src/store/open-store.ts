import { sql } from 'kysely';
import { DirectoryError } from '../domain/errors.js';
import type { Store } from './store.js';
import { ChangeFeed } from './change-feed.js';
import { connectDatabase, type DatabaseConnection, type DatabaseOptions } from './connect-database.js';
import { KyselyStore, type StoreBackend } from './kysely-store.js';
import { applyMigrations, readMigrationStatus, type MigrationStatus } from './migrate.js';
import { Mutex } from './mutex.js';
import { CHANGE_CHANNEL, PostgresListener } from './postgres-listener.js';
import { silentLogger, type StoreLogger } from './store-logger.js';
import { YieldToEventLoopPlugin } from './yield-plugin.js';

export type { PGliteTuning } from './pglite-open.js';
export type { MigrationStatus } from './migrate.js';

export interface OpenStoreOptions extends DatabaseOptions {
  readonly logger?: StoreLogger;
  /** Apply pending migrations first (default true). */
  readonly migrate?: boolean;
  /** Postgres: open the LISTEN connection for other processes' changes (default true). */
  readonly listen?: boolean;
}

async function postgresBackend(connection: DatabaseConnection, options: OpenStoreOptions, logger: StoreLogger): Promise<StoreBackend> {
  const feed = new ChangeFeed(logger);
  const listener = new PostgresListener(
    { ...connection.clientConfig, application_name: 'pgdir-listen' },
    { onRevision: (revision) => feed.publish(revision), onReconnect: () => feed.reconnected() },
    logger,
  );
  // Listening before the caller's first snapshot means no remote commit falls between the two.
  if (options.listen !== false) {
    await listener.start().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DirectoryError('unavailable', `cannot listen for changes on PostgreSQL: ${reason}`, { cause: error });
    });
  }
  return {
    mode: 'postgres',
    db: connection.db,
    feed,
    exclusive: (fn) => fn(),
    checkListener: (timeoutMs) => (options.listen === false ? Promise.resolve(true) : listener.check(timeoutMs)),
    // NOTIFY inside the transaction is delivered at commit, and never for a rollback.
    announce: async (trx, revision) => {
      await sql`SELECT pg_notify(${CHANGE_CHANNEL}, ${String(revision)})`.execute(trx);
    },
    close: async () => {
      await listener.close();
      await connection.close();
    },
  };
}

function pgliteBackend(connection: DatabaseConnection, logger: StoreLogger): StoreBackend {
  const mutex = new Mutex();
  return {
    mode: 'pglite',
    // Every query lets LDAP and HTTP run afterwards: PGlite shares this thread (yield-plugin.ts).
    db: connection.db.withPlugin(new YieldToEventLoopPlugin()),
    feed: new ChangeFeed(logger),
    exclusive: (fn) => mutex.run(fn),
    announce: async () => undefined, // published in-process after commit
    close: () => connection.close(),
  };
}

/** Opens the Store: PostgreSQL when `url` is set, otherwise PGlite in `<dataDir>/pglite`. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  const connection = await connectDatabase(options, logger);
  try {
    if (options.migrate !== false) await applyMigrations(connection.db, logger);
    const backend =
      connection.mode === 'postgres' ? await postgresBackend(connection, options, logger) : pgliteBackend(connection, logger);
    const store = new KyselyStore(backend);
    // The feed starts at the head: announcements at or below it are old news to every subscriber.
    // (Unmigrated, with `migrate: false`, there is no head yet and the feed starts at 0.)
    await store.revision().then((head) => backend.feed.seed(head), () => undefined);
    return store;
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

/** `pgdir migrate`: applies pending migrations and returns their names. */
export async function runMigrations(options: DatabaseOptions & { logger?: StoreLogger }): Promise<{ applied: string[] }> {
  const logger = options.logger ?? silentLogger;
  const connection = await connectDatabase(options, logger);
  try {
    return await applyMigrations(connection.db, logger);
  } finally {
    await connection.close();
  }
}

/** `pgdir migrate --status`: which steps are applied, pending, or unknown to this version. */
export async function migrationStatus(options: DatabaseOptions & { logger?: StoreLogger }): Promise<MigrationStatus> {
  const connection = await connectDatabase(options, options.logger ?? silentLogger);
  try {
    return await readMigrationStatus(connection.db);
  } finally {
    await connection.close();
  }
}
