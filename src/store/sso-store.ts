import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The one-time memory of SAML sign-in (issue 14), table `sso_nonces` (migration 0007), shared by
 * every replica through the database, so a response may come back to another replica than the
 * one that sent the request, and an assertion replayed to another replica is still refused.
 * Not directory state: no change-log entry, no revision. Times are the database's clock.
 */
export type NonceKind = 'saml_request' | 'saml_assertion';

export interface SsoStore {
  /** Records an AuthnRequest ID pgdir issued, valid until `expiresAt`. */
  saveRequest(id: string, expiresAt: Date): Promise<Date>;
  /** When the unexpired request `id` was issued, or undefined. */
  findRequest(id: string): Promise<Date | undefined>;
  /** Forgets a request ID (used up); true when it was there. */
  removeRequest(id: string): Promise<boolean>;
  /**
   * Remembers an accepted assertion ID until `expiresAt`. False when it was accepted before and its
   * memory has not expired (a replay). Atomic: of two replicas racing, exactly one gets true.
   */
  rememberAssertion(id: string, expiresAt: Date): Promise<boolean>;
}

interface SsoNoncesTable {
  kind: string;
  id: string;
  created_at: Date;
  expires_at: Date;
}
type Tables = Database & { sso_nonces: SsoNoncesTable };

/** IDs are attacker-chosen text: bound them before they reach an index. */
const MAX_ID = 256;

export function createSsoStore(database: Kysely<Database>, run: <T>(fn: () => Promise<T>) => Promise<T>): SsoStore {
  const db = database.withTables<{ sso_nonces: SsoNoncesTable }>() as unknown as Kysely<Tables>;
  const prune = () => db.deleteFrom('sso_nonces').where(sql<boolean>`expires_at < now()`).execute();
  return {
    saveRequest: (id, expiresAt) =>
      run(async () => {
        await prune(); // a request per sign-in keeps the table as small as its live rows
        const row = await db
          .insertInto('sso_nonces')
          .values({ kind: 'saml_request', id, expires_at: expiresAt, created_at: sql<Date>`now()` })
          .returning('created_at')
          .executeTakeFirstOrThrow();
        return row.created_at;
      }),
    findRequest: (id) =>
      run(async () => {
        if (id.length > MAX_ID) return undefined;
        const row = await db
          .selectFrom('sso_nonces')
          .select('created_at')
          .where('kind', '=', 'saml_request')
          .where('id', '=', id)
          .where(sql<boolean>`expires_at > now()`)
          .executeTakeFirst();
        return row?.created_at;
      }),
    removeRequest: (id) =>
      run(async () => {
        if (id.length > MAX_ID) return false;
        const rows = await db.deleteFrom('sso_nonces').where('kind', '=', 'saml_request').where('id', '=', id).returning('id').execute();
        return rows.length > 0;
      }),
    rememberAssertion: (id, expiresAt) =>
      run(async () => {
        if (id.length > MAX_ID) return false;
        // An expired memory may be taken over: such an assertion fails its time checks anyway.
        const rows = await db
          .insertInto('sso_nonces')
          .values({ kind: 'saml_assertion', id, expires_at: expiresAt, created_at: sql<Date>`now()` })
          .onConflict((oc) =>
            oc.columns(['kind', 'id']).doUpdateSet({ expires_at: expiresAt, created_at: sql<Date>`now()` }).where(sql<boolean>`sso_nonces.expires_at <= now()`),
          )
          .returning('id')
          .execute();
        return rows.length > 0;
      }),
  };
}
