import { normalizeDescription } from '../../domain/description.js';
import { conflict, invalid } from '../../domain/errors.js';
import { normalizeGroupName } from '../../domain/group-name.js';
import type { Group, User } from '../../domain/model.js';
import { assertMay, type Action } from '../../domain/permissions.js';
import type { Store, StoreReader, StoreTx } from '../../store/store.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { auditDiff, auditGroup } from '../audit-record.js';
import { resolveGroup } from './group-ref.js';
import { resolveUser, resolveUserFor } from '../users/user-ref.js';

export interface GroupWithMembers extends Group {
  readonly memberIds: readonly string[];
}
export interface GroupMembersPage {
  readonly group: GroupWithMembers;
  readonly members: User[];
}
export interface AddGroupInput {
  readonly name: string;
  readonly description?: string | null;
}
export interface UpdateGroupInput {
  readonly name?: string;
  readonly description?: string | null;
}

/**
 * Group use cases (DESIGN §7). Groups are named by id or name (case-insensitive), users by id,
 * username or email. The built-in groups `users` and `admins` are computed from users, so every
 * change to them, or a new group with their name, is a conflict (409).
 */
export interface GroupService {
  addGroup(input: AddGroupInput, actor: Actor): Promise<GroupWithMembers>;
  getGroup(ref: string, actor?: Actor): Promise<GroupWithMembers>;
  listGroups(actor?: Actor): Promise<GroupWithMembers[]>;
  /** Every group with its member count, in two queries (listings that need no member ids). */
  listGroupSummaries(actor?: Actor): Promise<(Group & { readonly memberCount: number })[]>;
  /** Every group, one query, without members or counts (the console's group pickers). */
  listGroupRecords(actor?: Actor): Promise<Group[]>;
  /**
   * A group and one page of its members as users, by username: one query for the page (a group
   * page at 10,000 users read its 50 shown members one by one before, 57-81 ms).
   */
  groupMembers(ref: string, page: { readonly limit: number; readonly offset: number }, actor?: Actor): Promise<GroupMembersPage>;
  /** The stored groups a user is in (built-in ones excluded). A user may read their own. */
  groupsOfUser(user: string, actor?: Actor): Promise<Group[]>;
  updateGroup(ref: string, changes: UpdateGroupInput, actor: Actor): Promise<GroupWithMembers>;
  /** Returns the group as it was before deletion. */
  deleteGroup(ref: string, actor: Actor): Promise<GroupWithMembers>;
  addMember(group: string, user: string, actor: Actor): Promise<GroupWithMembers>;
  removeMember(group: string, user: string, actor: Actor): Promise<GroupWithMembers>;
  /** Replaces the member list; every user must exist (all-or-nothing). */
  setMembers(group: string, users: readonly string[], actor: Actor): Promise<GroupWithMembers>;
}

const withMembers = async (reader: StoreReader, group: Group): Promise<GroupWithMembers> => ({
  ...group,
  memberIds: await reader.groupMemberIds(group.id),
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface GroupServiceOptions {
  readonly store: Store;
  /** `ldap.builtin_groups`' names: reserved like `users` and `admins` (reserved-names.ts). */
  readonly builtinNames?: readonly string[];
}

export function createGroupService({ store, builtinNames = [] }: GroupServiceOptions): GroupService {
  const audit = (tx: StoreTx, actor: Actor, action: string, target: string, details: Record<string, unknown>) =>
    tx.appendAudit({ actor: actorLabel(actor), action, target, result: 'ok', details });

  return {
    async addGroup(input, actor) {
      if (!isRecord(input)) throw invalid('group details must be an object');
      const name = normalizeGroupName(input.name, 'name', builtinNames);
      const description = normalizeDescription(input.description);
      assertMay(actor, 'group.create');
      return store.write(async (tx) => {
        if ((await tx.findGroupByName(name)) !== undefined) throw conflict(`group name "${name}" is already taken`, 'name');
        const group = await tx.insertGroup({ name, description });
        await audit(tx, actor, 'group.create', group.id, { after: auditGroup(group) });
        return { ...group, memberIds: [] };
      });
    },

    async getGroup(ref, actor) {
      if (actor !== undefined) assertMay(actor, 'group.read');
      return withMembers(store, await resolveGroup(store, ref, 'read'));
    },

    async listGroups(actor) {
      if (actor !== undefined) assertMay(actor, 'group.read');
      const groups = await store.listGroups();
      return Promise.all(groups.map((g) => withMembers(store, g)));
    },

    async listGroupSummaries(actor) {
      if (actor !== undefined) assertMay(actor, 'group.read');
      const [groups, counts] = await Promise.all([store.listGroups(), store.groupMemberCounts()]);
      return groups.map((g) => ({ ...g, memberCount: counts.get(g.id) ?? 0 }));
    },

    async listGroupRecords(actor) {
      if (actor !== undefined) assertMay(actor, 'group.read');
      return store.listGroups();
    },

    async groupMembers(ref, page, actor) {
      if (actor !== undefined) {
        assertMay(actor, 'group.read');
        assertMay(actor, 'user.list');
      }
      const group = await withMembers(store, await resolveGroup(store, ref, 'read'));
      if (group.memberIds.length === 0) return { group, members: [] };
      const { users } = await store.listUsers({ memberOf: group.id, limit: page.limit, offset: page.offset });
      return { group, members: users };
    },

    async groupsOfUser(userRef, actor) {
      const user = actor === undefined ? await resolveUser(store, userRef) : await resolveUserFor(store, userRef, actor);
      const ids = new Set(await store.userGroupIds(user.id));
      return (await store.listGroups()).filter((g) => ids.has(g.id));
    },

    async updateGroup(ref, changes, actor) {
      const patch = parseGroupChanges(changes, builtinNames);
      return change(store, ref, actor, 'group.update', async (tx, group) => {
        if (patch.name !== undefined && patch.name !== group.name) {
          const other = await tx.findGroupByName(patch.name);
          if (other !== undefined) throw conflict(`group name "${patch.name}" is already taken`, 'name');
        }
        const updated = await tx.updateGroup(group.id, patch);
        const diff = auditDiff(auditGroup(group), auditGroup(updated));
        if (Object.keys(diff.after).length > 0) await audit(tx, actor, 'group.update', group.id, diff);
        return updated;
      });
    },

    deleteGroup: (ref, actor) =>
      change(store, ref, actor, 'group.delete', async (tx, group) => {
        const before = await withMembers(tx, group);
        await tx.deleteGroup(group.id);
        await audit(tx, actor, 'group.delete', group.id, { before: { ...auditGroup(group), memberIds: before.memberIds } });
        return before;
      }),

    addMember: (ref, userRef, actor) =>
      change(store, ref, actor, 'group.setMembers', async (tx, group) => {
        const user = await resolveUser(tx, userRef);
        if (await tx.addMember(group.id, user.id)) {
          await audit(tx, actor, 'group.addMember', group.id, { userId: user.id });
        }
        return group;
      }),

    removeMember: (ref, userRef, actor) =>
      change(store, ref, actor, 'group.setMembers', async (tx, group) => {
        const user = await resolveUser(tx, userRef);
        if (await tx.removeMember(group.id, user.id)) {
          await audit(tx, actor, 'group.removeMember', group.id, { userId: user.id });
        }
        return group;
      }),

    setMembers: (ref, userRefs, actor) =>
      change(store, ref, actor, 'group.setMembers', async (tx, group) => {
        if (!Array.isArray(userRefs)) throw invalid('members must be a list of users', 'members');
        const ids = new Set<string>();
        for (const [i, userRef] of userRefs.entries()) ids.add((await resolveUser(tx, userRef, `members[${i}]`)).id);
        const before = new Set(await tx.groupMemberIds(group.id));
        const added = [...ids].filter((id) => !before.has(id));
        const removed = [...before].filter((id) => !ids.has(id));
        if (added.length + removed.length === 0) return group;
        await tx.setMembers(group.id, [...ids]);
        await audit(tx, actor, 'group.setMembers', group.id, { added, removed });
        return group;
      }),
  };
}

function parseGroupChanges(input: unknown, builtinNames: readonly string[]): { name?: string; description?: string } {
  if (!isRecord(input)) throw invalid('group changes must be an object');
  const unknown = Object.keys(input).find((k) => k !== 'name' && k !== 'description');
  if (unknown !== undefined) throw invalid(`cannot change "${unknown}"; changeable fields are name, description`, unknown);
  const patch: { name?: string; description?: string } = {};
  if (input.name !== undefined) patch.name = normalizeGroupName(input.name, 'name', builtinNames);
  if (input.description !== undefined) patch.description = normalizeDescription(input.description);
  if (Object.keys(patch).length === 0) throw invalid('nothing to change; give name or description');
  return patch;
}

/**
 * One transaction: check `may`, resolve the group (built-in → 409), refuse groups mirrored from an
 * external directory (the next sync would undo the change, DESIGN §9), apply, return with members.
 */
async function change(
  store: Store,
  ref: string,
  actor: Actor,
  action: Action,
  apply: (tx: StoreTx, group: Group) => Promise<Group | GroupWithMembers>,
): Promise<GroupWithMembers> {
  assertMay(actor, action);
  return store.write(async (tx) => {
    const group = await resolveGroup(tx, ref, 'change');
    if (group.source !== 'local') throw conflict(`group "${group.name}" is managed by the external directory`, 'group');
    const result = await apply(tx, group);
    return 'memberIds' in result ? result : withMembers(tx, result);
  });
}
