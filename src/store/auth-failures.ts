import { sql, type Kysely } from 'kysely';
import { invalid } from '../domain/errors.js';
import type { Database } from './schema.js';
import { toNumber } from './row-mappers.js';

/**
 * Brute-force counters (DESIGN §4) live in the database so that every replica counts the same
 * failures. Times are the database's `now()`, one clock for all replicas. Rows older than a day
 * (or the window, if longer) are pruned as failures are recorded, so the table stays small.
 */
const PRUNE_AFTER_MS = 24 * 60 * 60 * 1000;

function checkWindow(windowMs: number): number {
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw invalid('the failure window must be a positive duration');
  return Math.ceil(windowMs);
}

const since = (ms: number) => sql<Date>`now() - make_interval(secs => ${ms / 1000}::float8)`;

export async function recordAuthFailure(db: Kysely<Database>, key: string, windowMs: number): Promise<number> {
  const window = checkWindow(windowMs);
  const pruneBefore = since(Math.max(window, PRUNE_AFTER_MS));
  await db.deleteFrom('auth_failures').where('at', '<', pruneBefore).execute();
  await db.insertInto('auth_failures').values({ key }).execute();
  return countAuthFailures(db, key, window);
}

export async function countAuthFailures(db: Kysely<Database>, key: string, windowMs: number): Promise<number> {
  const window = checkWindow(windowMs);
  const row = await db
    .selectFrom('auth_failures')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('key', '=', key)
    .where('at', '>=', since(window))
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}

export async function clearAuthFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('auth_failures').where('key', '=', key).execute();
}

/** Keys with at least `maxFailures` failures in the window: what every replica must refuse now. */
export async function blockedAuthKeys(db: Kysely<Database>, windowMs: number, maxFailures: number): Promise<string[]> {
  const window = checkWindow(windowMs);
  const rows = await db
    .selectFrom('auth_failures')
    .select('key')
    .where('at', '>=', since(window))
    .groupBy('key')
    .having((eb) => eb.fn.countAll(), '>=', maxFailures)
    .execute();
  return rows.map((r) => r.key);
}
