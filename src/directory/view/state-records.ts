import { AppRecords } from './app-records.js';
import type { Group, ServiceAccount, User } from '../../domain/model.js';
import type { Snapshot } from '../../store/store.js';

/**
 * The store's records as the view last read them, memberships held both ways. Users who are not
 * listed (no username yet, inactive) are kept too: a later change may list them, and a bind must
 * still find nothing for them without asking the database.
 */
export class StateRecords {
  readonly users = new Map<string, User>();
  readonly groups = new Map<string, Group>();
  readonly accounts = new Map<string, ServiceAccount>();
  /** Applications by id and by lower-case name (issue 16). */
  readonly apps = new AppRecords();
  /** user id → ids of the stored groups it is in. */
  readonly userGroups = new Map<string, Set<string>>();
  /** group id → ids of its member users. */
  readonly groupUsers = new Map<string, Set<string>>();

  static fromSnapshot(snapshot: Snapshot): StateRecords {
    const records = new StateRecords();
    for (const user of snapshot.users) records.users.set(user.id, user);
    for (const group of snapshot.groups) records.groups.set(group.id, group);
    for (const account of snapshot.serviceAccounts) records.accounts.set(account.id, account);
    for (const app of snapshot.apps ?? []) records.apps.set(app.id, app);
    for (const m of snapshot.memberships) records.link(m.groupId, m.userId);
    return records;
  }

  /** Replaces a user's stored groups; returns the group ids that gained or lost the user. */
  setUserGroups(userId: string, groupIds: readonly string[]): string[] {
    const next = new Set(groupIds);
    const old = this.userGroups.get(userId) ?? new Set<string>();
    const changed: string[] = [];
    for (const g of old) if (!next.has(g)) changed.push(g), this.unlink(g, userId);
    for (const g of next) if (!old.has(g)) changed.push(g), this.link(g, userId);
    return changed;
  }

  /** Replaces a group's members; returns the user ids that joined or left. */
  setGroupUsers(groupId: string, userIds: readonly string[]): string[] {
    const next = new Set(userIds);
    const old = this.groupUsers.get(groupId) ?? new Set<string>();
    const changed: string[] = [];
    for (const u of old) if (!next.has(u)) changed.push(u), this.unlink(groupId, u);
    for (const u of next) if (!old.has(u)) changed.push(u), this.link(groupId, u);
    return changed;
  }

  /** Forgets a user and its memberships; returns the groups it was in. */
  removeUser(userId: string): string[] {
    const groups = [...(this.userGroups.get(userId) ?? [])];
    for (const g of groups) this.unlink(g, userId);
    this.users.delete(userId);
    return groups;
  }

  /** Forgets a group and its memberships; returns its former members. */
  removeGroup(groupId: string): string[] {
    const members = [...(this.groupUsers.get(groupId) ?? [])];
    for (const u of members) this.unlink(groupId, u);
    this.groups.delete(groupId);
    return members;
  }

  /**
   * Moves a user's updatedAt up to `at` (a change that touched its row without a re-read, see
   * read-batch.ts); never back. Returns the record when it moved.
   */
  stampUser(userId: string, at: Date): User | undefined {
    const user = this.users.get(userId);
    if (user === undefined || user.updatedAt >= at) return undefined;
    const stamped = { ...user, updatedAt: at };
    this.users.set(userId, stamped);
    return stamped;
  }

  /** The same for a group; true when it moved. */
  stampGroup(groupId: string, at: Date): boolean {
    const group = this.groups.get(groupId);
    if (group === undefined || group.updatedAt >= at) return false;
    this.groups.set(groupId, { ...group, updatedAt: at });
    return true;
  }

  private link(groupId: string, userId: string): void {
    getOrCreate(this.userGroups, userId).add(groupId);
    getOrCreate(this.groupUsers, groupId).add(userId);
  }

  private unlink(groupId: string, userId: string): void {
    const groups = this.userGroups.get(userId);
    groups?.delete(groupId);
    if (groups?.size === 0) this.userGroups.delete(userId);
    const users = this.groupUsers.get(groupId);
    users?.delete(userId);
    if (users?.size === 0) this.groupUsers.delete(groupId);
  }
}

function getOrCreate<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  return set;
}
