import { sql, type Transaction } from 'kysely';
import type { User } from '../domain/model.js';
import type { AuditEntry, NewUser, TakenUserKeys, UserKeys } from './store.js';
import type { Database } from './schema.js';
import { toUser } from './row-mappers.js';
import { isUuid } from '../domain/uuid.js';
import { jsonParam, newId, type TxContext } from './tx-context.js';

/**
 * Bulk writes for the users import (issue 12: one insert per row cost ~10 ms on PGlite). One
 * statement inserts many users and one appends their change rows, inside one savepoint, so a
 * failing batch leaves the transaction usable: the caller then retries the batch row by row to
 * name the offending row (a concurrent writer took a name after the check).
 */

/** The users row of a new user (one definition for the single and the batch insert). */
export function newUserRow(user: NewUser) {
  return {
    id: newId(user.id),
    username: user.username,
    email: user.email,
    fallback_email: user.fallbackEmail ?? null,
    display_name: user.displayName ?? '',
    role: user.role ?? 'user',
    active: user.active ?? true,
    source: user.source ?? 'local',
    source_id: user.sourceId ?? null,
    source_dn: user.sourceDn ?? null,
    password_hash: user.passwordHash ?? null,
    password_changed_at: user.passwordHash ? sql<Date>`now()` : null,
    totp_secret_encrypted: null,
  };
}

export function insertUsers(ctx: TxContext, users: readonly NewUser[]): Promise<User[]> {
  if (users.length === 0) return Promise.resolve([]);
  return ctx.step({ ...users[0] }, async () => {
    const rows = await ctx.trx.insertInto('users').values(users.map(newUserRow)).returningAll().execute();
    await ctx.changed(...rows.map((row) => ({ kind: 'user' as const, key: row.id, op: 'upsert' as const })));
    return rows.map(toUser);
  });
}

/** Audit rows are not directory state: no change-log row (as appendAudit). */
export function appendAudits(ctx: TxContext, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return Promise.resolve();
  return ctx.step(
    {},
    async () => {
      const rows = entries.map((entry) => ({
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        result: entry.result ?? 'ok',
        ip: entry.ip ?? null,
        details: jsonParam(entry.details ?? {}, 'details'),
      }));
      await ctx.trx.insertInto('audit_log').values(rows).execute();
    },
    false,
  );
}

/** The given values that an existing user already has (case-insensitively, as the unique indexes). */
async function taken(trx: Transaction<Database>, column: 'username' | 'email' | 'id', values: readonly string[]): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  // lower() on both sides in SQL, never in JS: the database's idea of case is the one the index enforces.
  const match =
    column === 'id'
      ? sql<boolean>`u.id = v.val::uuid`
      : sql<boolean>`lower(u.${sql.ref(column)}) = lower(v.val)`;
  const result = await sql<{ val: string }>`
    SELECT v.val FROM unnest(${[...values]}::text[]) AS v(val)
    WHERE EXISTS (SELECT 1 FROM users u WHERE ${match})`.execute(trx);
  return new Set(result.rows.map((row) => row.val));
}

export async function takenUserKeys(trx: Transaction<Database>, keys: UserKeys): Promise<TakenUserKeys> {
  return {
    usernames: await taken(trx, 'username', keys.usernames),
    emails: await taken(trx, 'email', keys.emails),
    ids: await taken(trx, 'id', keys.ids.filter(isUuid)),
  };
}
