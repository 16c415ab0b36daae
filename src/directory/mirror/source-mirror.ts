import { randomUUID } from 'node:crypto';
import type { User } from '../../domain/model.js';
import type { GroupPatch, NewGroup, NewUser, Store, StoreTx, UserPatch } from '../../store/store.js';
import { SettingKey } from '../settings/setting-keys.js';

/**
 * The directory's mirror of an external LDAP source (DESIGN §9): the one way the connector writes.
 * The connector reads the source and plans; these use cases own the transactions, so the sync's
 * batches, its report and the configuration are written like every other change (one transaction
 * each, audited), and no connector file opens the store for writing.
 */

/** One planned change to a mirrored entry (the connector's sync plan, as data). */
export type MirrorChange =
  | { readonly kind: 'insertUser'; readonly user: NewUser }
  | { readonly kind: 'updateUser'; readonly id: string; readonly patch: UserPatch }
  | { readonly kind: 'insertGroup'; readonly group: NewGroup }
  | { readonly kind: 'updateGroup'; readonly id: string; readonly patch: GroupPatch }
  | { readonly kind: 'setMembers'; readonly groupId: string; readonly userIds: readonly string[] };

/** How the set of users the connector deactivated (SettingKey.connectorDeactivated) changes. */
export interface DeactivationChange {
  readonly id: string;
  readonly add: boolean;
}

/** A source group a user signing in for the first time joins (name already made a group name). */
export interface JoinedSourceGroup {
  readonly name: string;
  readonly sourceId: string;
  readonly description: string;
}

async function applyChange(tx: StoreTx, change: MirrorChange): Promise<void> {
  switch (change.kind) {
    case 'insertUser':
      return void (await tx.insertUser(change.user));
    case 'updateUser':
      return void (await tx.updateUser(change.id, change.patch));
    case 'insertGroup':
      return void (await tx.insertGroup(change.group));
    case 'updateGroup':
      return void (await tx.updateGroup(change.id, change.patch));
    case 'setMembers':
      return tx.setMembers(change.groupId, change.userIds);
  }
}

async function recordDeactivations(tx: StoreTx, changes: readonly DeactivationChange[]): Promise<void> {
  if (changes.length === 0) return;
  const set = new Set((await tx.getSetting<string[]>(SettingKey.connectorDeactivated)) ?? []);
  for (const c of changes) (c.add ? set.add(c.id) : set.delete(c.id));
  await tx.setSetting(SettingKey.connectorDeactivated, [...set].sort());
}

/** Mirrored groups the user joins: by source id, else by name; local groups are never touched. */
async function joinGroups(tx: StoreTx, user: User, groups: readonly JoinedSourceGroup[]): Promise<string[]> {
  const joined: string[] = [];
  const mirrored = (await tx.listGroups()).filter((g) => g.source === 'ldap');
  for (const g of groups) {
    const existing = mirrored.find((m) => m.sourceId === g.sourceId) ?? (await tx.findGroupByName(g.name));
    if (existing !== undefined && existing.source !== 'ldap') continue;
    const group = existing ?? (await tx.insertGroup({ name: g.name, description: g.description, source: 'ldap', sourceId: g.sourceId }));
    await tx.addMember(group.id, user.id);
    joined.push(group.name);
  }
  return joined;
}

export interface NewMirroredUser {
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly sourceId: string;
  readonly sourceDn: string;
}

export function createSourceMirror(store: Store) {
  return {
    /** One batch of a sync, in one transaction, with the deactivation set kept in step. */
    apply: (changes: readonly MirrorChange[], deactivations: readonly DeactivationChange[]): Promise<void> =>
      store.write(async (tx) => {
        for (const change of changes) await applyChange(tx, change);
        await recordDeactivations(tx, deactivations);
      }),

    /** Stores the (bounded) report of a finished sync as the last one, with its audit entry. */
    recordSync: (stored: Readonly<Record<string, unknown>>, actor: string, ok: boolean): Promise<void> =>
      store.write(async (tx) => {
        await tx.setSetting(SettingKey.connectorLastReport, stored);
        await tx.appendAudit({ actor, action: 'connector.sync', target: null, result: ok ? 'ok' : 'failed', details: { ...stored } });
      }),

    /**
     * Replaces the stored connector configuration; `prepare` gets the previous one (to keep a
     * masked password) and returns what to store and what the audit log may show.
     */
    configure: <T>(
      actor: string,
      prepare: (previous: Readonly<Record<string, unknown>> | undefined) => { stored: Record<string, unknown>; audited: Record<string, unknown>; result: T },
    ): Promise<T> =>
      store.write(async (tx) => {
        const { stored, audited, result } = prepare(await tx.getSetting<Record<string, unknown>>(SettingKey.connectorConfig));
        await tx.setSetting(SettingKey.connectorConfig, stored);
        await tx.appendAudit({ actor, action: 'connector.configure', details: { settings: audited } });
        return result;
      }),

    /** First login of a source user (auto_create): undefined when the username or email is taken. */
    createOnLogin: (fields: NewMirroredUser, groups: readonly JoinedSourceGroup[]): Promise<User | undefined> =>
      store.write(async (tx) => {
        if ((await tx.findUserByUsername(fields.username)) || (await tx.findUserByEmail(fields.email))) return undefined;
        const user = await tx.insertUser({ id: randomUUID(), ...fields, source: 'ldap', passwordHash: null });
        const joined = await joinGroups(tx, user, groups);
        await tx.appendAudit({ actor: 'connector', action: 'connector.auto_create', target: user.id, details: { username: user.username, dn: fields.sourceDn, groups: joined } });
        return user;
      }),
  };
}

export type SourceMirror = ReturnType<typeof createSourceMirror>;
