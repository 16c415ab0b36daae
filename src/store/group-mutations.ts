import { sql, type Updateable } from 'kysely';
import type { Group } from '../domain/model.js';
import type { GroupPatch, NewGroup } from './store.js';
import type { GroupsTable } from './schema.js';
import type { NewChange } from './change-log.js';
import { toGroup } from './row-mappers.js';
import { isUuid } from '../domain/uuid.js';
import { found, newId, requireId, type TxContext } from './tx-context.js';
import { touchMembersOnRename, touchRows } from './touch-rows.js';
import { notFound } from '../domain/errors.js';
import { assertGroupUnused } from './app-store.js';

const membership = (groupId: string, userId: string, op: NewChange['op']): NewChange => ({
  kind: 'membership',
  key: `${groupId}:${userId}`,
  op,
});

export function insertGroup(ctx: TxContext, group: NewGroup): Promise<Group> {
  return ctx.step({ ...group }, async () => {
    const id = newId(group.id);
    const row = await ctx.trx
      .insertInto('groups')
      .values({
        id,
        name: group.name,
        description: group.description ?? '',
        source: group.source ?? 'local',
        source_id: group.sourceId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.changed({ kind: 'group', key: id, op: 'upsert' });
    return toGroup(row);
  });
}

export function updateGroup(ctx: TxContext, id: string, patch: GroupPatch): Promise<Group> {
  return ctx.step({ ...patch, id }, async () => {
    const key = requireId(id, 'group');
    const set: Updateable<GroupsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.sourceId !== undefined) set.source_id = patch.sourceId;
    // The name is in every member's memberOf (touch-rows.ts). Each member gets a change row at
    // the rename's time: the view stamps the members from these rows, since it cannot tell a
    // rename from the records alone when it reads the group after the rename committed (e.g. a
    // group created and renamed within one catch-up).
    const renamed = patch.name === undefined ? [] : await touchMembersOnRename(ctx, key, patch.name);
    const row = await ctx.trx.updateTable('groups').set({ ...set, updated_at: sql<Date>`now()` }).where('id', '=', key).returningAll().executeTakeFirst();
    const group = toGroup(found(row, 'group', id));
    await ctx.changed(...renamed.map((u) => membership(key, u, 'upsert')), { kind: 'group', key, op: 'upsert' });
    return group;
  });
}

export function deleteGroup(ctx: TxContext, id: string): Promise<void> {
  return ctx.step({ id }, async () => {
    const key = requireId(id, 'group');
    await assertGroupUnused(ctx.trx, key); // 409 naming the applications whose access names it
    const users = await ctx.trx.deleteFrom('memberships').where('group_id', '=', key).returning('user_id').execute();
    found(await ctx.trx.deleteFrom('groups').where('id', '=', key).returning('id').executeTakeFirst(), 'group', id);
    await touchRows(ctx, [], users.map((u) => u.user_id)); // their memberOf lost the group
    await ctx.changed(...users.map((u) => membership(key, u.user_id, 'delete')), { kind: 'group', key, op: 'delete' });
  });
}

/** A missing group or user is a 23503 foreign-key error, which db-errors maps to not_found. */
export function addMember(ctx: TxContext, groupId: string, userId: string): Promise<boolean> {
  return ctx.step({ groupId, userId }, async () => {
    const g = requireId(groupId, 'group');
    const u = requireId(userId, 'user');
    const row = await ctx.trx
      .insertInto('memberships')
      .values({ group_id: g, user_id: u })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (row) {
      await touchRows(ctx, [g], [u]); // the group's members and the user's memberOf changed
      await ctx.changed(membership(g, u, 'upsert'));
    }
    return row !== undefined;
  });
}

export function removeMember(ctx: TxContext, groupId: string, userId: string): Promise<boolean> {
  return ctx.step({ groupId, userId }, async () => {
    if (!isUuid(groupId) || !isUuid(userId)) return false;
    const [g, u] = [groupId.toLowerCase(), userId.toLowerCase()];
    const row = await ctx.trx
      .deleteFrom('memberships')
      .where('group_id', '=', g)
      .where('user_id', '=', u)
      .returning('user_id')
      .executeTakeFirst();
    if (row) {
      await touchRows(ctx, [g], [u]);
      await ctx.changed(membership(g, u, 'delete'));
    }
    return row !== undefined;
  });
}

/** Replaces the member list; only the differences are written (and logged). */
export function setMembers(ctx: TxContext, groupId: string, userIds: readonly string[]): Promise<void> {
  return ctx.step({ groupId }, async () => {
    const g = requireId(groupId, 'group');
    const wanted = new Set(userIds.map((id) => requireId(id, 'user')));
    const group = await ctx.trx.selectFrom('groups').select('id').where('id', '=', g).forUpdate().executeTakeFirst();
    if (!group) throw notFound(`group "${groupId}" does not exist`);
    const rows = await ctx.trx.selectFrom('memberships').select('user_id').where('group_id', '=', g).execute();
    const current = new Set(rows.map((row) => row.user_id));
    const toAdd = [...wanted].filter((id) => !current.has(id));
    const toRemove = [...current].filter((id) => !wanted.has(id));
    if (toAdd.length > 0) {
      await ctx.trx.insertInto('memberships').values(toAdd.map((u) => ({ group_id: g, user_id: u }))).execute();
    }
    if (toRemove.length > 0) {
      await ctx.trx.deleteFrom('memberships').where('group_id', '=', g).where('user_id', 'in', toRemove).execute();
    }
    if (toAdd.length + toRemove.length > 0) await touchRows(ctx, [g], [...toAdd, ...toRemove]);
    await ctx.changed(...toAdd.map((u) => membership(g, u, 'upsert')), ...toRemove.map((u) => membership(g, u, 'delete')));
  });
}
