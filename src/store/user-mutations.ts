import { sql, type Updateable } from 'kysely';
import type { User, UserSource } from '../domain/model.js';
import type { NewUser, UserPatch } from './store.js';
import type { UsersTable } from './schema.js';
import { toUser } from './row-mappers.js';
import { memberValuesChanged } from '../domain/user-listing.js';
import { found, newId, requireId, type TxContext } from './tx-context.js';
import { touchGroupsOfUser, touchRows } from './touch-rows.js';
import { newUserRow } from './user-batch.js';

function userColumns(patch: UserPatch): Updateable<UsersTable> {
  const set: Updateable<UsersTable> = {};
  if (patch.username !== undefined) set.username = patch.username;
  if (patch.email !== undefined) set.email = patch.email;
  if (patch.fallbackEmail !== undefined) set.fallback_email = patch.fallbackEmail;
  if (patch.displayName !== undefined) set.display_name = patch.displayName;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.active !== undefined) set.active = patch.active;
  if (patch.sourceId !== undefined) set.source_id = patch.sourceId;
  if (patch.sourceDn !== undefined) set.source_dn = patch.sourceDn;
  if (patch.totpEnabled !== undefined) set.totp_enabled = patch.totpEnabled;
  return set;
}

export function insertUser(ctx: TxContext, user: NewUser): Promise<User> {
  return ctx.step({ ...user }, async () => {
    const values = newUserRow(user);
    const id = values.id;
    const row = await ctx.trx
      .insertInto('users')
      .values(values)
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.changed({ kind: 'user', key: id, op: 'upsert' });
    return toUser(row);
  });
}

/**
 * A change of listing or username also changes the member values of the user's groups: their
 * updated_at moves too, and each membership gets a change row so that the view moves the groups'
 * modifyTimestamp to the same time (directory-state.ts). Only patches that can change either read
 * the row first.
 */
export function updateUser(ctx: TxContext, id: string, patch: UserPatch): Promise<User> {
  return ctx.step({ ...patch, id }, async () => {
    const key = requireId(id, 'user');
    const listing = patch.username !== undefined || patch.active !== undefined || patch.passwordHash !== undefined;
    const before = listing
      ? await ctx.trx.selectFrom('users').select(['active', 'username', 'source', 'password_hash as passwordHash']).where('id', '=', key).executeTakeFirst()
      : undefined;
    let query = ctx.trx
      .updateTable('users')
      .set({ ...userColumns(patch), updated_at: sql<Date>`now()` })
      .where('id', '=', key);
    if (patch.passwordHash !== undefined) {
      // passwordChangedAt moves only when the hash really changes (DESIGN §7 password rules).
      query = query.set({
        password_hash: patch.passwordHash,
        password_changed_at: sql<Date>`CASE WHEN password_hash IS DISTINCT FROM ${patch.passwordHash}
          THEN now() ELSE password_changed_at END`,
      });
    }
    const user = toUser(found(await query.returningAll().executeTakeFirst(), 'user', id));
    const groups = before && memberValuesChanged({ ...before, source: before.source as UserSource }, user) ? await touchGroupsOfUser(ctx, key) : [];
    await ctx.changed(
      { kind: 'user', key, op: 'upsert' },
      ...groups.map((g) => ({ kind: 'membership' as const, key: `${g}:${key}`, op: 'upsert' as const })),
    );
    return user;
  });
}

/** Memberships go explicitly (not by cascade) so that each one gets its change row. */
export function deleteUser(ctx: TxContext, id: string): Promise<void> {
  return ctx.step({ id }, async () => {
    const key = requireId(id, 'user');
    const groups = await ctx.trx.deleteFrom('memberships').where('user_id', '=', key).returning('group_id').execute();
    found(await ctx.trx.deleteFrom('users').where('id', '=', key).returning('id').executeTakeFirst(), 'user', id);
    await touchRows(ctx, groups.map((g) => g.group_id), []); // the user left their member values
    await ctx.changed(
      ...groups.map((g) => ({ kind: 'membership' as const, key: `${g.group_id}:${key}`, op: 'delete' as const })),
      { kind: 'user', key, op: 'delete' },
    );
  });
}
