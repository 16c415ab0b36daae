import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isUuid } from '../domain/uuid.js';

/**
 * Account-lifecycle credentials (DESIGN §7), table `user_tokens` (migration 0003), and the TOTP
 * columns of `users` that are not directory state (the encrypted secret and the last used step).
 * Like api_tokens: no change-log entry, no revision. `totp_enabled` itself changes through
 * StoreTx.updateUser so that the LDAP view sees it.
 */
export type UserTokenKind = 'invite' | 'reset' | 'impersonation' | 'owner_login';

export interface UserToken {
  readonly id: string;
  readonly userId: string;
  readonly kind: UserTokenKind;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly createdBy: string | null;
}

export interface LifecycleStore {
  /** Stores a token, removing the user's earlier tokens of the same kind (a newer link wins). */
  replaceToken(token: { userId: string; kind: UserTokenKind; tokenHash: string; expiresAt: Date; createdBy: string | null }): Promise<UserToken>;
  /** The unused, unexpired token of this kind with this hash (by the database's clock). */
  findToken(kind: UserTokenKind, tokenHash: string): Promise<UserToken | undefined>;
  /** Marks a single-use token used; false when it was used (or expired) meanwhile. */
  useToken(id: string): Promise<boolean>;
  deleteTokens(userId: string, kinds: readonly UserTokenKind[]): Promise<number>;
  /** The encrypted TOTP secret (enrolled or pending) of a user. */
  totpSecret(userId: string): Promise<string | undefined>;
  /** Some user's encrypted TOTP secret, if anyone has one (the start-up check of the sealing key). */
  anyTotpSecret(): Promise<string | undefined>;
  /** Sets or clears the secret and forgets the last used step. */
  setTotpSecret(userId: string, encrypted: string | null): Promise<void>;
  /** Records `step` as used unless it or a later one was used already (RFC 6238 §5.2: one use). */
  consumeTotpStep(userId: string, step: number): Promise<boolean>;
}

interface UserTokensTable {
  id: string;
  user_id: string;
  kind: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  created_by: string | null;
}
type Tables = Database & { user_tokens: UserTokensTable };

const COLUMNS = ['id', 'user_id', 'kind', 'created_at', 'expires_at', 'created_by'] as const;
type Row = Pick<UserTokensTable, (typeof COLUMNS)[number]>;
const toToken = (row: Row): UserToken => ({
  id: row.id,
  userId: row.user_id,
  kind: row.kind as UserTokenKind,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  createdBy: row.created_by,
});

export function createLifecycleStore(database: Kysely<Database>, run: <T>(fn: () => Promise<T>) => Promise<T>): LifecycleStore {
  const db = database.withTables<{ user_tokens: UserTokensTable }>() as unknown as Kysely<Tables>;
  return {
    replaceToken: (token) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('user_tokens').where('user_id', '=', token.userId).where('kind', '=', token.kind).execute();
          const row = await trx
            .insertInto('user_tokens')
            .values({ id: randomUUID(), user_id: token.userId, kind: token.kind, token_hash: token.tokenHash, expires_at: token.expiresAt, created_by: token.createdBy, created_at: sql<Date>`now()`, used_at: null })
            .returning(COLUMNS)
            .executeTakeFirstOrThrow();
          return toToken(row);
        }),
      ),
    findToken: (kind, tokenHash) =>
      run(async () => {
        const row = await db
          .selectFrom('user_tokens')
          .select(COLUMNS)
          .where('token_hash', '=', tokenHash)
          .where('kind', '=', kind)
          .where('used_at', 'is', null)
          .where(sql<boolean>`expires_at > now()`)
          .executeTakeFirst();
        return row && toToken(row);
      }),
    useToken: (id) =>
      run(async () => {
        const rows = await db
          .updateTable('user_tokens')
          .set({ used_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where('used_at', 'is', null)
          .where(sql<boolean>`expires_at > now()`)
          .returning('id')
          .execute();
        return rows.length > 0;
      }),
    deleteTokens: (userId, kinds) =>
      run(async () => {
        if (!isUuid(userId) || kinds.length === 0) return 0;
        return (await db.deleteFrom('user_tokens').where('user_id', '=', userId).where('kind', 'in', [...kinds]).returning('id').execute()).length;
      }),
    totpSecret: (userId) =>
      run(async () => {
        if (!isUuid(userId)) return undefined;
        const row = await db.selectFrom('users').select('totp_secret_encrypted').where('id', '=', userId).executeTakeFirst();
        return row?.totp_secret_encrypted ?? undefined;
      }),
    anyTotpSecret: () =>
      run(async () => {
        const row = await db.selectFrom('users').select('totp_secret_encrypted').where('totp_secret_encrypted', 'is not', null).limit(1).executeTakeFirst();
        return row?.totp_secret_encrypted ?? undefined;
      }),
    setTotpSecret: (userId, encrypted) =>
      run(async () => {
        await db.updateTable('users').set({ totp_secret_encrypted: encrypted, totp_last_step: null }).where('id', '=', userId).execute();
      }),
    consumeTotpStep: (userId, step) =>
      run(async () => {
        const rows = await db
          .updateTable('users')
          .set({ totp_last_step: step })
          .where('id', '=', userId)
          .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
          .returning('id')
          .execute();
        return rows.length > 0;
      }),
  };
}
