import type { Group, ServiceAccount, User } from '../../domain/model.js';
import type { Application } from '../../domain/application.js';
import { isBuiltinGroupName } from '../../domain/reserved-names.js';
import type { Snapshot } from '../../store/store.js';
import { isListed, memberValuesChanged } from '../../domain/user-listing.js';
import { builtinGroups, type BuiltinGroup } from './builtin-groups.js';
import { buildSystemEntry } from './container-entries.js';
import { groupDn, type Dit } from './dit.js';
import { EntryStore } from './entry-store.js';
import { indexPolicy } from './index-values.js';
import { buildGroupEntry, memberValues } from './group-entry.js';
import { BuiltinState, membershipRelevant } from './builtin-entries.js';
import { StateRecords } from './state-records.js';
import { buildUserEntry, userEntryShared, type MemberOfPrefix, type UserEntryShared } from './user-entry.js';
import { compareEntries, type ViewEntry } from './view-entry.js';
import type { Grant, Team } from '../../domain/team.js';
import { teamsNorm } from './team-entries.js';
import { TeamState } from './team-state.js';
import { userRecord } from './user-record.js';
import type { MemberValues } from './group-entry.js';

export interface GroupRecord {
  readonly group: Group;
  readonly memberIds: readonly string[];
}

/** When a batch's change rows last touched each user and group they name (read-batch.ts). */
export interface ChangeTimes {
  readonly users: ReadonlyMap<string, Date>;
  readonly groups: ReadonlyMap<string, Date>;
}

/** Records re-read for one catch-up (undefined: the record is gone). */
export interface RecordBatch {
  readonly revision: number;
  readonly users: ReadonlyMap<string, User | undefined>;
  readonly groups: ReadonlyMap<string, GroupRecord | undefined>;
  /** user id → the ids of every stored group it is in now. */
  readonly userGroups: ReadonlyMap<string, readonly string[]>;
  readonly accounts: ReadonlyMap<string, ServiceAccount | undefined>;
  /** Applications re-read (issue 16); absent: none changed. */
  readonly apps?: ReadonlyMap<string, Application | undefined>;
  /** Teams and grants re-read (issue 13); absent: none changed. */
  readonly teams?: ReadonlyMap<string, Team | undefined>;
  readonly grants?: ReadonlyMap<string, Grant | undefined>;
  /** Rows touched but not re-read (memberships) take these times: the store wrote the same. */
  readonly changedAt: ChangeTimes;
}

/** Which entries a batch touched, and so must be rebuilt. */
interface Affected {
  readonly users: Set<string>;
  readonly groups: Set<string>;
  /** Who is in the built-in groups (or their uids) may have changed. */
  builtins: boolean;
  /** The built-ins' modifyTimestamp moved. */
  builtinTime: boolean;
}

/** Distinct memberOf prefixes kept for sharing (far more than distinct group combinations). */
const PREFIXES_HELD = 100_000;

/**
 * One complete, consistent directory: records plus the entries built from them. Loading and each
 * batch run synchronously from start to end, so searches see either before or after, never between.
 */
export class DirectoryState {
  readonly entries: EntryStore;
  readonly builtins: readonly [BuiltinGroup, BuiltinGroup];
  /** Teams, grants, levels and the ou=teams entries (issue 13). */
  readonly teams: TeamState;
  private readonly shared: UserEntryShared;
  private readonly groupDns = new Map<string, { name: string; dn: string }>();
  private readonly plainPrefix: MemberOfPrefix;
  private readonly adminPrefix: MemberOfPrefix;
  /** Interned memberOf prefixes by built-in kind and group DNs (see memberOf). */
  private readonly prefixes = new Map<string, MemberOfPrefix>();
  private readonly builtinState: BuiltinState;
  /** Configured built-in names: a stored group so named is never shown (it would shadow one). */
  private readonly reservedExtra: readonly string[];

  private constructor(
    readonly dit: Dit,
    readonly records: StateRecords,
    public revision: number,
    onRemove?: (entry: ViewEntry) => void,
    teams: readonly Team[] = [],
    grants: readonly Grant[] = [],
  ) {
    this.builtins = builtinGroups(dit);
    this.reservedExtra = this.builtins.map((b) => b.name);
    this.builtinState = new BuiltinState(dit, this.builtins);
    const indexes = indexPolicy(new Set(this.builtins.map((b) => b.id)), teamsNorm(dit));
    this.teams = new TeamState(dit, records, teams, grants);
    this.entries = new EntryStore(dit, { indexes, ...(onRemove ? { onRemove } : {}) });
    this.shared = userEntryShared(dit, this.builtins[0].gidNumber, this.teams);
    const [users, admins] = this.builtins.map((b) => groupDn(dit, b.name)) as [string, string];
    this.plainPrefix = { prefix: Object.freeze([users]), shareable: true };
    this.adminPrefix = { prefix: Object.freeze([users, admins]), shareable: true };
  }

  /** `floor`: the built-ins' modifyTimestamp of the state this one replaces (builtin-entries.ts). */
  static load(dit: Dit, snapshot: Snapshot, onRemove?: (entry: ViewEntry) => void, floor?: Date): DirectoryState {
    const state = new DirectoryState(dit, StateRecords.fromSnapshot(snapshot), snapshot.revision, onRemove, snapshot.teams, snapshot.grants);
    state.builtinState.changedAt(floor);
    for (const user of snapshot.users) state.builtinState.changedAt(user.updatedAt);
    state.rebuild({
      users: new Set(state.records.users.keys()),
      groups: new Set(state.records.groups.keys()),
      builtins: true,
      builtinTime: true,
    });
    state.entries.put('system', 'admin', buildSystemEntry(dit, undefined));
    for (const id of state.records.accounts.keys()) state.rebuildAccount(id);
    state.entries.commit();
    return state;
  }

  /** The built-ins' modifyTimestamp, for a reload to start from (never backwards). */
  get builtinModified(): Date | undefined {
    return this.builtinState.modified;
  }

  /** Applies re-read records and rebuilds every entry they affect. */
  apply(batch: RecordBatch): void {
    const affected: Affected = { users: new Set(), groups: new Set(), builtins: false, builtinTime: false };
    for (const [id, user] of batch.users) this.applyUser(id, user, affected, batch.changedAt.users.get(id));
    for (const [id, group] of batch.groups) this.applyGroup(id, group, affected);
    for (const [id, groupIds] of batch.userGroups) {
      for (const g of this.records.setUserGroups(id, groupIds)) affected.groups.add(g);
      affected.users.add(id);
    }
    this.applyTeams(batch);
    for (const [id, account] of batch.accounts) {
      if (account === undefined) this.records.accounts.delete(id);
      else this.records.accounts.set(id, account);
      this.rebuildAccount(id);
    }
    for (const [id, app] of batch.apps ?? []) this.records.apps.set(id, app);
    this.stamp(batch.changedAt, affected);
    this.rebuild(affected);
    this.revision = Math.max(this.revision, batch.revision);
  }

  /** Issue 13: teams and grants, and what users and memberships change in everyone's levels. */
  private applyTeams(batch: RecordBatch): void {
    for (const [id, team] of batch.teams ?? []) this.teams.applyTeam(id, team);
    for (const [id, grant] of batch.grants ?? []) this.teams.applyGrant(id, grant);
    // Grants of a deleted user or group went with it (ON DELETE CASCADE, no change rows).
    for (const [id, user] of batch.users) if (user === undefined) this.teams.dropPrincipal(id);
    for (const [id, group] of batch.groups) if (group === undefined) this.teams.dropPrincipal(id);
    if (batch.users.size + batch.groups.size + batch.userGroups.size > 0) this.teams.touch();
  }

  /** `at`: when the batch last changed the user (the time of a deletion). */
  private applyUser(id: string, next: User | undefined, affected: Affected, at: Date | undefined): void {
    const old = this.records.users.get(id);
    affected.users.add(id);
    if (membershipRelevant(old, next)) affected.builtins = true;
    if (this.builtinState.changedAt(next?.updatedAt ?? at)) affected.builtinTime = true;
    if (next === undefined) {
      for (const g of this.records.removeUser(id)) affected.groups.add(g);
      return;
    }
    this.records.users.set(id, userRecord(next));
    // Groups list the user's DN and username: only listing and the username matter to them.
    if (old === undefined || memberValuesChanged(old, next)) {
      for (const g of this.records.userGroups.get(id) ?? []) affected.groups.add(g);
    }
  }

  private applyGroup(id: string, next: GroupRecord | undefined, affected: Affected): void {
    affected.groups.add(id);
    if (next === undefined) {
      for (const u of this.records.removeGroup(id)) affected.users.add(u);
      return;
    }
    const old = this.records.groups.get(id);
    this.records.groups.set(id, next.group);
    for (const u of this.records.setGroupUsers(id, next.memberIds)) affected.users.add(u);
    // The members' memberOf carries the group DN: a new or renamed group changes all of them.
    if (old === undefined || old.name !== next.group.name) {
      for (const u of this.records.groupUsers.get(id) ?? []) affected.users.add(u);
    }
    // A rename moved every member's updatedAt (touch-rows.ts) and logs no row per member: the
    // group's row, as new as the rename or newer, gives the time.
    if (old !== undefined && old.name !== next.group.name) {
      for (const u of this.records.groupUsers.get(id) ?? []) this.stampUser(u, next.group.updatedAt, affected);
    }
  }

  /** Rows the batch touched without re-reading them take the change's time (read-batch.ts). */
  private stamp(times: ChangeTimes, affected: Affected): void {
    for (const [id, at] of times.users) this.stampUser(id, at, affected);
    for (const [id, at] of times.groups) if (this.records.stampGroup(id, at)) affected.groups.add(id);
  }

  private stampUser(id: string, at: Date, affected: Affected): void {
    if (this.records.stampUser(id, at) !== undefined) affected.users.add(id);
    if (this.builtinState.changedAt(at)) affected.builtinTime = true;
  }

  /** Users first (groups read their entries), each part published with its own commit. */
  private rebuild(affected: Affected): void {
    // 'all' (a level everyone has moved): recompute() moved the derived generation, so every
    // user's memberOf is computed again when next read; no entry is rebuilt for it.
    const moved = this.teams.recompute();
    if (moved !== 'all') for (const id of moved) affected.users.add(id);
    // Issue 16: applications' precomputed access follows every user whose access may have moved.
    this.records.apps.access.followed(this, affected.users, moved === 'all');
    for (const id of affected.users) this.rebuildUser(id);
    this.entries.commit();
    for (const id of affected.groups) this.rebuildGroup(id);
    if (affected.builtins || affected.builtinTime) this.rebuildBuiltins(affected.builtins);
    // Derived team groups last: they share the built-in users group's member values.
    this.teams.rebuildEntries(this.entries, this.everyone(), affected.users);
    this.entries.commit();
  }

  /** Every listed user as member values (the built-in users group's, shared by identity). */
  private everyone(): MemberValues | undefined {
    const entry = this.entries.byId.group.get(this.builtins[0].id);
    if (entry === undefined) return undefined;
    const dns = entry.attributes.get('member') ?? [];
    const uids = entry.attributes.get('memberuid') ?? [];
    return this.everyoneHeld?.dns === dns && this.everyoneHeld.uids === uids ? this.everyoneHeld : (this.everyoneHeld = { dns, uids });
  }
  private everyoneHeld: MemberValues | undefined;

  private rebuildUser(id: string): void {
    const user = this.records.users.get(id);
    const entry = user && isListed(user) ? buildUserEntry(this.shared, user, this.memberOf(user)) : undefined;
    this.entries.put('user', id, entry);
  }

  /**
   * DNs of every group the user is in, in group order: built-ins (gid 9000, 9001) first; the
   * derived team groups follow, added on read (user-entry.ts). Interned: every user in the same
   * groups shares one frozen array (50 users per group in a typical directory share it, instead
   * of an object and an array each), which also lets the evaluator's match-key cache serve them
   * all (match-values.ts).
   */
  private memberOf(user: User): MemberOfPrefix {
    const admin = this.builtins[1].includes(user);
    const ids = this.records.userGroups.get(user.id);
    if (ids === undefined || ids.size === 0) return admin ? this.adminPrefix : this.plainPrefix;
    const groups: Group[] = [];
    for (const id of ids) {
      const group = this.records.groups.get(id);
      if (group !== undefined && !isBuiltinGroupName(group.name, this.reservedExtra)) groups.push(group);
    }
    if (groups.length === 0) return admin ? this.adminPrefix : this.plainPrefix;
    if (groups.length > 1) groups.sort((a, b) => a.gidNumber - b.gidNumber);
    const dns = groups.map((g) => this.groupDnOf(g));
    // DNs never hold a raw NUL (RFC 4514 escapes it), so the key is unambiguous.
    const key = `${admin ? 'a' : 'u'}\u0000${dns.join('\u0000')}`;
    let held = this.prefixes.get(key);
    if (held === undefined) {
      // Keys of renamed or emptied groups linger until then; dropping them only costs sharing.
      if (this.prefixes.size >= PREFIXES_HELD) this.prefixes.clear();
      const builtin = admin ? this.adminPrefix.prefix : this.plainPrefix.prefix;
      // Frozen: the evaluator caches match keys of frozen arrays only (match-values.ts).
      held = { prefix: Object.freeze([...builtin, ...dns]), shareable: true };
      this.prefixes.set(key, held);
    }
    return held;
  }

  /** One DN string per group, shared by every member's memberOf. */
  private groupDnOf(group: Group): string {
    const held = this.groupDns.get(group.id);
    if (held !== undefined && held.name === group.name) return held.dn;
    const dn = groupDn(this.dit, group.name);
    this.groupDns.set(group.id, { name: group.name, dn });
    return dn;
  }

  private rebuildGroup(id: string): void {
    const group = this.records.groups.get(id);
    // Built-in names are reserved (reserved-names.ts); a stored group with one is never shown.
    if (group === undefined || isBuiltinGroupName(group.name, this.reservedExtra)) {
      this.groupDns.delete(id);
      this.entries.put('group', id, undefined);
      return;
    }
    const members: ViewEntry[] = [];
    for (const u of this.records.groupUsers.get(id) ?? []) {
      const entry = this.entries.byId.user.get(u);
      if (entry !== undefined) members.push(entry);
    }
    members.sort(compareEntries);
    this.entries.put('group', id, buildGroupEntry(this.dit, group, memberValues(members)));
  }

  private rebuildBuiltins(membershipChanged: boolean): void {
    for (const entry of this.builtinState.entries(this.entries.lists.user, membershipChanged)) this.entries.put('group', entry.id, entry);
  }

  private rebuildAccount(id: string): void {
    const account = this.records.accounts.get(id);
    // cn=admin is the built-in directory admin; a stored account may not shadow it.
    const shown = account !== undefined && account.name.toLowerCase() !== 'admin';
    this.entries.put('system', id, shown ? buildSystemEntry(this.dit, account) : undefined);
  }
}
