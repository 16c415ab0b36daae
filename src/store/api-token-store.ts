import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema.js';
import { isUuid } from '../domain/uuid.js';

/**
 * Bearer credentials of the HTTP API (DESIGN §8), table `api_tokens` (migration 0002): login
 * sessions (`session`) and scripts' API tokens (`api`). Only the token's SHA-256 is stored. These
 * rows are not directory state: no change-log entry, no revision, no announcement.
 */
export type ApiTokenKind = 'session' | 'api';
export type ApiTokenScope = 'read' | 'readwrite';

export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  readonly kind: ApiTokenKind;
  readonly name: string;
  readonly scope: ApiTokenScope;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface NewApiToken {
  readonly userId: string;
  readonly kind: ApiTokenKind;
  readonly name?: string;
  readonly scope: ApiTokenScope;
  readonly tokenHash: string;
  /** Null: until revoked (API tokens only). */
  readonly expiresAt: Date | null;
}

export interface ApiTokenStore {
  insert(token: NewApiToken): Promise<ApiToken>;
  /** The unexpired token with this hash, by the database's clock. */
  findByHash(tokenHash: string): Promise<ApiToken | undefined>;
  /** The user's unexpired tokens of one kind, newest first. */
  list(userId: string, kind: ApiTokenKind): Promise<ApiToken[]>;
  /** Deletes one token of this user; false when there is none. */
  delete(id: string, userId: string): Promise<boolean>;
  deleteByHash(tokenHash: string): Promise<boolean>;
  /** Ends every session and token of a user (disabled); returns how many. */
  deleteForUser(userId: string): Promise<number>;
  /** Ends every login session of users without TOTP (mandatory 2FA switched on); returns the count. */
  deleteSessionsWithoutTotp(): Promise<number>;
  /** Records use, at most once a minute per token (keeps reads from becoming writes). */
  touch(id: string): Promise<void>;
  /** Removes expired rows; returns how many. */
  pruneExpired(): Promise<number>;
}

interface ApiTokensTable {
  id: string;
  user_id: string;
  kind: string;
  name: string;
  scope: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}
type Tables = { api_tokens: ApiTokensTable };
type Row = Omit<Selectable<ApiTokensTable>, 'token_hash'>;

const toApiToken = (row: Row): ApiToken => ({
  id: row.id,
  userId: row.user_id,
  kind: row.kind as ApiTokenKind,
  name: row.name,
  scope: row.scope as ApiTokenScope,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
});

const COLUMNS = ['id', 'user_id', 'kind', 'name', 'scope', 'created_at', 'expires_at', 'last_used_at'] as const;
const unexpired = sql<boolean>`(expires_at IS NULL OR expires_at > now())`;

/** `run` serialises access like every other Store call (PGlite's one connection, error mapping). */
export function createApiTokenStore(
  database: Kysely<Database>,
  run: <T>(fn: () => Promise<T>) => Promise<T>,
): ApiTokenStore {
  const db = database.withTables<Tables>();
  return {
    insert: (token) =>
      run(async () => {
        const row = await db
          .insertInto('api_tokens')
          .values({
            id: randomUUID(),
            user_id: token.userId,
            kind: token.kind,
            name: token.name ?? '',
            scope: token.scope,
            token_hash: token.tokenHash,
            expires_at: token.expiresAt,
            created_at: sql<Date>`now()`,
            last_used_at: null,
          })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toApiToken(row);
      }),
    findByHash: (tokenHash) =>
      run(async () => {
        const row = await db.selectFrom('api_tokens').select(COLUMNS).where('token_hash', '=', tokenHash).where(unexpired).executeTakeFirst();
        return row && toApiToken(row);
      }),
    list: (userId, kind) =>
      run(async () => {
        if (!isUuid(userId)) return [];
        const rows = await db
          .selectFrom('api_tokens')
          .select(COLUMNS)
          .where('user_id', '=', userId)
          .where('kind', '=', kind)
          .where(unexpired)
          .orderBy('created_at', 'desc')
          .execute();
        return rows.map(toApiToken);
      }),
    delete: (id, userId) =>
      run(async () => {
        if (!isUuid(id) || !isUuid(userId)) return false;
        const rows = await db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).returning('id').execute();
        return rows.length > 0;
      }),
    deleteByHash: (tokenHash) =>
      run(async () => (await db.deleteFrom('api_tokens').where('token_hash', '=', tokenHash).returning('id').execute()).length > 0),
    deleteForUser: (userId) =>
      run(async () => {
        if (!isUuid(userId)) return 0;
        return (await db.deleteFrom('api_tokens').where('user_id', '=', userId).returning('id').execute()).length;
      }),
    deleteSessionsWithoutTotp: () =>
      run(async () => {
        const rows = await db
          .deleteFrom('api_tokens')
          .where('kind', '=', 'session')
          .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('totp_enabled', '=', false))
          .returning('id')
          .execute();
        return rows.length;
      }),
    touch: (id) =>
      run(async () => {
        await db
          .updateTable('api_tokens')
          .set({ last_used_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where(sql<boolean>`(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`)
          .execute();
      }),
    pruneExpired: () =>
      run(async () => {
        const rows = await db.deleteFrom('api_tokens').where(sql<boolean>`expires_at <= now()`).returning('id').execute();
        return rows.length;
      }),
  };
}
