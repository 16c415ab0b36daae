import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DirectoryError } from '../domain/errors.js';
import type { Database } from './schema.js';
import type { StoreLogger } from './store-logger.js';
import { acquirePGliteLock } from './pglite-lock.js';
import { openPGlite, type PGliteTuning } from './pglite-open.js';

export interface DatabaseOptions {
  /** PostgreSQL connection string; PGlite in `<dataDir>/pglite` when absent. */
  readonly url?: string | undefined;
  readonly dataDir: string;
  readonly pglite?: PGliteTuning;
  /** Pool size for PostgreSQL (default 10). */
  readonly poolSize?: number;
  /**
   * Idle time before TCP keepalive probes start on every PostgreSQL socket (default 10 s), so a
   * peer that vanished without FIN/RST is noticed by the kernel instead of waited on forever.
   */
  readonly keepAliveMs?: number;
}

export interface DatabaseConnection {
  readonly mode: 'postgres' | 'pglite';
  readonly db: Kysely<Database>;
  /** For the LISTEN client (Postgres only). */
  readonly clientConfig?: pg.ClientConfig;
  close(): Promise<void>;
}

function connectPostgres(url: string, options: DatabaseOptions, logger: StoreLogger): DatabaseConnection {
  const clientConfig: pg.ClientConfig = {
    connectionString: url,
    application_name: 'pgdir',
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepAliveMs ?? 10_000,
  };
  const pool = new pg.Pool({
    ...clientConfig,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server emits on the pool; without a handler that would crash.
  pool.on('error', (error) => logger.warn({ err: briefError(error) }, 'idle PostgreSQL connection failed'));
  // pg-pool removes its handler while a client is checked out. A checked-out client that sits
  // between queries (a transaction awaiting a bcrypt hash, the connection holding an advisory
  // lock) and loses its server (`pg_ctl stop`: FATAL 57P01) would emit 'error' unhandled and end
  // the process. With this handler its next query fails instead (503), and the pool drops it.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: briefError(error) }, 'PostgreSQL connection in use failed'));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { mode: 'postgres', db, clientConfig, close: () => db.destroy() };
}

/** The message and code only: pg-pool attaches the whole client (and its config) to the error. */
function briefError(error: Error & { code?: unknown }): { message: string; code?: unknown } {
  return { message: error.message, ...(error.code === undefined ? {} : { code: error.code }) };
}

async function connectPGlite(options: DatabaseOptions, logger: StoreLogger): Promise<DatabaseConnection> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const release = acquirePGliteLock(join(options.dataDir, 'pglite.lock'));
  try {
    const started = performance.now();
    const pglite = await openPGlite(join(options.dataDir, 'pglite'), options.pglite ?? {}, logger);
    logger.info({ ms: Math.round(performance.now() - started) }, 'opened embedded database (PGlite)');
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    const close = async (): Promise<void> => {
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        release();
      }
    };
    return { mode: 'pglite', db, close };
  } catch (error) {
    release();
    throw error;
  }
}

/** Opens the database and checks it answers; failures become DirectoryError('unavailable'). */
export async function connectDatabase(options: DatabaseOptions, logger: StoreLogger): Promise<DatabaseConnection> {
  let connection: DatabaseConnection | undefined;
  try {
    connection = options.url ? connectPostgres(options.url, options, logger) : await connectPGlite(options, logger);
    await connection.db.selectNoFrom((eb) => eb.lit(1).as('ok')).execute();
    return connection;
  } catch (error) {
    await connection?.close().catch(() => undefined);
    if (error instanceof DirectoryError) throw error;
    const what = options.url ? 'PostgreSQL' : 'the embedded database';
    throw new DirectoryError('unavailable', `cannot open ${what}: ${(error as Error).message}`, { cause: error });
  }
}
