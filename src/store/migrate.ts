import { sql, type Kysely } from 'kysely';
import { DirectoryError } from '../domain/errors.js';
import type { Database } from './schema.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { StoreLogger } from './store-logger.js';

/**
 * Runs the migration steps not yet recorded in schema_migrations, each in its own transaction.
 * Every transaction first takes one transaction-level advisory lock, so that replicas starting at
 * the same time against one Postgres apply each step exactly once (the loser waits, then sees the
 * row); with PGlite the lock is trivially free.
 */

/** An arbitrary constant naming pgdir's migration lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK_KEY = 7_466_280_001;

export interface MigrationState {
  readonly name: string;
  readonly appliedAt: Date | null;
}

export interface MigrationStatus {
  readonly migrations: readonly MigrationState[];
  /** Steps recorded in the database that this version does not know (a newer pgdir ran). */
  readonly unknown: readonly string[];
  readonly pending: readonly string[];
}

async function ensureMigrationTable(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(trx);
  });
}

async function applyOne(db: Kysely<Database>, migration: Migration): Promise<boolean> {
  try {
    return await applyInTransaction(db, migration);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DirectoryError('internal', `database migration ${migration.name} failed: ${reason}`, { cause: error });
  }
}

async function applyInTransaction(db: Kysely<Database>, migration: Migration): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
    const done = await trx
      .selectFrom('schema_migrations')
      .select('name')
      .where('name', '=', migration.name)
      .executeTakeFirst();
    if (done) return false;
    for (const statement of migration.statements) await sql.raw(statement).execute(trx);
    await trx.insertInto('schema_migrations').values({ name: migration.name }).execute();
    return true;
  });
}

export async function applyMigrations(
  db: Kysely<Database>,
  logger?: StoreLogger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<{ applied: string[] }> {
  await ensureMigrationTable(db);
  const applied: string[] = [];
  for (const migration of migrations) {
    if (await applyOne(db, migration)) {
      applied.push(migration.name);
      logger?.info({ migration: migration.name }, 'applied database migration');
    }
  }
  const status = await readMigrationStatus(db, migrations);
  if (status.unknown.length > 0) {
    logger?.warn({ unknown: status.unknown }, 'database has migrations this pgdir version does not know');
  }
  return { applied };
}

export async function readMigrationStatus(
  db: Kysely<Database>,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationStatus> {
  await ensureMigrationTable(db);
  const rows = await db.selectFrom('schema_migrations').selectAll().orderBy('name').execute();
  const appliedAt = new Map(rows.map((row) => [row.name, row.applied_at]));
  const known = new Set(migrations.map((m) => m.name));
  return {
    migrations: migrations.map((m) => ({ name: m.name, appliedAt: appliedAt.get(m.name) ?? null })),
    unknown: rows.map((row) => row.name).filter((name) => !known.has(name)),
    pending: migrations.filter((m) => !appliedAt.has(m.name)).map((m) => m.name),
  };
}
