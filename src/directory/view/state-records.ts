import { AppRecords } from './app-records.js';
import type { Group, ServiceAccount, User } from '../../domain/model.js';
import type { Snapshot } from '../../store/store.js';
import { IdLinks } from './id-links.js';
import { UserRecord, userRecord } from './user-record.js';

/**
 * The store's records as the view last read them, memberships held both ways. Users who are not
 * listed (no username yet, inactive) are kept too: a later change may list them, and a bind must
 * still find nothing for them without asking the database.
 */
export class StateRecords {
  /** Compact records (user-record.ts): what the view holds per user, listed or not. */
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, Group>();
  readonly accounts = new Map<string, ServiceAccount>();
  /** Applications by id and by lower-case name (issue 16). */
  readonly apps = new AppRecords();
  /** user id → ids of the stored groups it is in. */
  readonly userGroups = new IdLinks();
  /** group id → ids of its member users. */
  readonly groupUsers = new IdLinks();

  static fromSnapshot(snapshot: Snapshot): StateRecords {
    const records = new StateRecords();
    for (const user of snapshot.users) records.users.set(user.id, userRecord(user));
    for (const group of snapshot.groups) records.groups.set(group.id, group);
    for (const account of snapshot.serviceAccounts) records.accounts.set(account.id, account);
    for (const app of snapshot.apps ?? []) records.apps.set(app.id, app);
    for (const m of snapshot.memberships) records.link(records.groupKey(m.groupId), records.userKey(m.userId));
    return records;
  }

  /**
   * The id string the records already hold for a user or group: a membership row brings its own
   * copy of both ids (a database driver returns a new string per value), and keeping those would
   * cost two more strings per membership for as long as the view lives.
   */
  private userKey(id: string): string {
    return this.users.get(id)?.id ?? id;
  }

  private groupKey(id: string): string {
    return this.groups.get(id)?.id ?? id;
  }

  /** Replaces a user's stored groups; returns the group ids that gained or lost the user. */
  setUserGroups(userId: string, groupIds: readonly string[]): string[] {
    userId = this.userKey(userId);
    const next = new Set(groupIds.map((g) => this.groupKey(g)));
    const old = new Set(this.userGroups.get(userId));
    const changed: string[] = [];
    for (const g of old) if (!next.has(g)) changed.push(g), this.unlink(g, userId);
    for (const g of next) if (!old.has(g)) changed.push(g), this.link(g, userId);
    return changed;
  }

  /** Replaces a group's members; returns the user ids that joined or left. */
  setGroupUsers(groupId: string, userIds: readonly string[]): string[] {
    groupId = this.groupKey(groupId);
    const next = new Set(userIds.map((u) => this.userKey(u)));
    const old = new Set(this.groupUsers.get(groupId));
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
    const stamped = new UserRecord(user, at);
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
    this.userGroups.add(userId, groupId);
    this.groupUsers.add(groupId, userId);
  }

  private unlink(groupId: string, userId: string): void {
    this.userGroups.delete(userId, groupId);
    this.groupUsers.delete(groupId, userId);
  }
}
