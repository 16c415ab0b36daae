import { sql } from 'kysely';
import type { TxContext } from './tx-context.js';

/**
 * Moving updated_at of rows whose LDAP entry changed through another row (RFC 4512 §3.4: the
 * modifyTimestamp of an entry moves whenever its attribute values do; SSSD and Keycloak re-read
 * by `(modifyTimestamp>=...)`). A membership changes the group's member values and the user's
 * memberOf; a user's listing or username changes its groups' member values; a group's name is in
 * its members' memberOf.
 *
 * Each helper is one statement however many rows it touches (setMembers of thousands of users),
 * with the ids as one uuid[] parameter: ids are validated uuids (requireId), so the array literal
 * needs no quoting. All use now(), the transaction's time, which is also the `at` of the change
 * rows the transaction appends (change-log.ts): the view relies on that.
 */

const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

/** The given groups and users, in one statement. */
export async function touchRows(ctx: TxContext, groupIds: readonly string[], userIds: readonly string[]): Promise<void> {
  if (groupIds.length === 0 && userIds.length === 0) return;
  await sql`
    WITH touched_groups AS (
      UPDATE groups SET updated_at = now() WHERE id = ANY(${uuidArray(groupIds)}::uuid[])
    )
    UPDATE users SET updated_at = now() WHERE id = ANY(${uuidArray(userIds)}::uuid[])`.execute(ctx.trx);
}

/** Every group the user is in; returns their ids (for the change rows). */
export async function touchGroupsOfUser(ctx: TxContext, userId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    UPDATE groups SET updated_at = now()
    WHERE id IN (SELECT group_id FROM memberships WHERE user_id = ${userId})
    RETURNING id`.execute(ctx.trx);
  return result.rows.map((row) => row.id);
}

/**
 * Every member of the group, when its name is about to change from what is stored; returns their
 * ids, for the membership change rows the rename appends (group-mutations.ts).
 */
export async function touchMembersOnRename(ctx: TxContext, groupId: string, name: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    UPDATE users SET updated_at = now()
    WHERE id IN (SELECT user_id FROM memberships WHERE group_id = ${groupId})
      AND EXISTS (SELECT 1 FROM groups WHERE id = ${groupId} AND name IS DISTINCT FROM ${name})
    RETURNING id`.execute(ctx.trx);
  return result.rows.map((row) => row.id);
}
