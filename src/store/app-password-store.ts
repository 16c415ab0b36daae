import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { isUuid } from '../domain/uuid.js';

/**
 * App passwords (issue 14), table `app_passwords` (migration 0008): per-user secrets for LDAP
 * binds. Only the secret's SHA-256 is stored. Like api_tokens these rows are not directory state:
 * no change-log entry, no revision. Reads and the last-used stamp go through the Store; creating
 * and revoking go through StoreTx, so the row and its audit entry commit together.
 */
export interface AppPassword {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

export interface AppPasswordStore {
  /** The app password with this hash: one indexed lookup (the bind path). */
  findByHash(secretHash: string): Promise<{ readonly id: string; readonly userId: string } | undefined>;
  /** The user's app passwords, newest first. */
  list(userId: string): Promise<AppPassword[]>;
  /** Records use now, unless it was recorded in the last minute (by any replica). */
  touch(id: string): Promise<void>;
}

export interface AppPasswordMutations {
  insert(row: { readonly userId: string; readonly name: string; readonly secretHash: string }): Promise<AppPassword>;
  /** Deletes one app password of this user; undefined when there is none. */
  delete(id: string, userId: string): Promise<AppPassword | undefined>;
}

export interface AppPasswordsTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  created_at: Date;
  last_used_at: Date | null;
}
export type Tables = { app_passwords: AppPasswordsTable };
type Row = Omit<Selectable<AppPasswordsTable>, 'secret_hash'>;

export const COLUMNS = ['id', 'user_id', 'name', 'created_at', 'last_used_at'] as const;
export const toAppPassword = (row: Row): AppPassword => ({ id: row.id, userId: row.user_id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at });

export const tables = (db: Kysely<Database> | Transaction<Database>): Kysely<Tables> => db.withTables<Tables>() as unknown as Kysely<Tables>;

/** `run` serialises access like every other Store call (PGlite's one connection, error mapping). */
export function createAppPasswordStore(database: Kysely<Database>, run: <T>(fn: () => Promise<T>) => Promise<T>): AppPasswordStore {
  const db = tables(database);
  return {
    findByHash: (secretHash) =>
      run(async () => {
        const row = await db.selectFrom('app_passwords').select(['id', 'user_id']).where('secret_hash', '=', secretHash).executeTakeFirst();
        return row && { id: row.id, userId: row.user_id };
      }),
    list: (userId) =>
      run(async () => {
        if (!isUuid(userId)) return [];
        const rows = await db.selectFrom('app_passwords').select(COLUMNS).where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
        return rows.map(toAppPassword);
      }),
    touch: (id) =>
      run(async () => {
        if (!isUuid(id)) return;
        await db
          .updateTable('app_passwords')
          .set({ last_used_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where(sql<boolean>`(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`)
          .execute();
      }),
  };
}

