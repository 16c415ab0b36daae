import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { LockResult } from './store.js';

/**
 * Cluster-wide single-flight for jobs such as the connector's sync (DESIGN §9). PostgreSQL: a
 * session-level advisory lock (pg_try_advisory_lock) held on one reserved pool connection for the
 * duration of `fn`, released explicitly and, should the connection die, by the server. The key is
 * the 64-bit hash of the lock's name (hashtextextended, PostgreSQL 11+). PGlite serves one process
 * only, so a per-store set of held names is the whole story there.
 */
export async function withPostgresAdvisoryLock<T>(db: Kysely<Database>, name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(hashtextextended(${name}, 0)) AS ok`.execute(conn);
    if (rows[0]?.ok !== true) return { acquired: false };
    try {
      return { acquired: true, value: await fn() };
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`.execute(conn).catch(() => undefined);
    }
  });
}

export async function withLocalLock<T>(held: Set<string>, name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
  if (held.has(name)) return { acquired: false };
  held.add(name);
  try {
    return { acquired: true, value: await fn() };
  } finally {
    held.delete(name);
  }
}
