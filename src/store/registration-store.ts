import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Self-registration links (issue 14), table `registration_tokens` (migration 0009): a hashed,
 * single-use, expiring token for an email address that has no user yet. Not directory state.
 */
export interface RegistrationToken {
  readonly id: string;
  readonly email: string;
  readonly expiresAt: Date;
}

export interface RegistrationStore {
  /** Stores a token for `email`, replacing the address's earlier ones (the newest link wins). */
  issue(email: string, tokenHash: string, expiresAt: Date): Promise<RegistrationToken>;
  /** The unused, unexpired token with this hash (by the database's clock). */
  find(tokenHash: string): Promise<RegistrationToken | undefined>;
  /** Marks it used; false when it was used (or expired) meanwhile. */
  use(id: string): Promise<boolean>;
}

interface RegistrationTokensTable {
  id: string;
  email: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}
type Tables = { registration_tokens: RegistrationTokensTable };
const live = sql<boolean>`(used_at IS NULL AND expires_at > now())`;

export function createRegistrationStore(database: Kysely<Database>, run: <T>(fn: () => Promise<T>) => Promise<T>): RegistrationStore {
  const db = database.withTables<Tables>() as unknown as Kysely<Tables>;
  return {
    issue: (email, tokenHash, expiresAt) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('registration_tokens').where('email', '=', email).execute();
          const id = randomUUID();
          await trx.insertInto('registration_tokens').values({ id, email, token_hash: tokenHash, created_at: sql<Date>`now()`, expires_at: expiresAt, used_at: null }).execute();
          return { id, email, expiresAt };
        }),
      ),
    find: (tokenHash) =>
      run(async () => {
        const row = await db.selectFrom('registration_tokens').select(['id', 'email', 'expires_at']).where('token_hash', '=', tokenHash).where(live).executeTakeFirst();
        return row && { id: row.id, email: row.email, expiresAt: row.expires_at };
      }),
    use: (id) =>
      run(async () => {
        const rows = await db.updateTable('registration_tokens').set({ used_at: sql<Date>`now()` }).where('id', '=', id).where(live).returning('id').execute();
        return rows.length > 0;
      }),
  };
}
