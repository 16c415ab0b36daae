import type { RetentionStore } from './retention-store.js';
import type { TableTransfer } from './table-transfer.js';
import type { Group, GroupSource, Membership, Role, ServiceAccount, User, UserSource } from '../domain/model.js';
import type { Application } from '../domain/application.js';
import type { AppPatch, AppReader, NewApp } from './app-types.js';
export type { AppPatch, NewApp } from './app-types.js';
import type { ApiTokenStore } from './api-token-store.js';
import type { AppPasswordMutations, AppPasswordStore } from './app-password-store.js';
import type { RegistrationStore } from './registration-store.js';
import type { LifecycleStore } from './lifecycle-store.js';
import type { SsoStore } from './sso-store.js';
import type { Changes } from './change-feed.js';
import type { AuthKeyState, AuthReservation, AuthRule } from './auth-failures.js';
import type { Grant, Team } from '../domain/team.js';
import type { TeamMutations, TeamReader } from './team-store-types.js';
export type { GrantQuery, NewGrant, NewTeam, PutGrantResult, TeamPatch } from './team-store-types.js';
export type { AuthKeyState, AuthReservation, AuthRule } from './auth-failures.js';

/**
 * The one interface the rest of pgdir uses to reach its database, implemented over PostgreSQL (pg)
 * and over PGlite with the same kysely queries and migrations (DESIGN §2.1–2.2). Only src/store
 * imports kysely, pg or PGlite.
 */

export type EntityKind = 'user' | 'group' | 'membership' | 'setting' | 'service_account' | 'team' | 'grant' | 'app';

/** One row of the change log: what changed, never the data itself (readers re-read by id). */
export interface Change {
  readonly revision: number;
  readonly kind: EntityKind;
  /** user id, group id, `<groupId>:<userId>` for memberships, setting key, service account, team or grant id. */
  readonly key: string;
  readonly op: 'upsert' | 'delete';
  /**
   * The writing transaction's now(): the very value it stored in every updated_at it set, so the
   * view can move timestamps of rows it does not re-read (directory-state.ts) to match the store.
   */
  readonly at: Date;
}

export interface NewUser {
  readonly id?: string; // generated when absent
  readonly username: string | null;
  readonly email: string;
  readonly fallbackEmail?: string | null;
  readonly displayName?: string;
  readonly role?: Role;
  readonly active?: boolean;
  readonly source?: UserSource;
  readonly sourceId?: string | null;
  readonly sourceDn?: string | null;
  readonly passwordHash?: string | null;
}
export type UserPatch = Partial<
  Pick<
    User,
    | 'username'
    | 'email'
    | 'fallbackEmail'
    | 'displayName'
    | 'role'
    | 'active'
    | 'sourceId'
    | 'sourceDn'
    | 'passwordHash'
    | 'totpEnabled'
  >
>;

export interface NewGroup {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  readonly source?: GroupSource;
  readonly sourceId?: string | null;
}
export type GroupPatch = Partial<Pick<Group, 'name' | 'description' | 'sourceId'>>;

export interface NewServiceAccount {
  readonly name: string;
  readonly secretHash: string;
  readonly allowedCidrs?: readonly string[];
  readonly privileged?: boolean;
}

export interface AuditEntry {
  readonly actor: string | null; // user id, 'cli', 'admin', service account name...
  readonly action: string; // e.g. 'user.create', 'ldap.bind'
  readonly target?: string | null;
  readonly result?: 'ok' | 'denied' | 'failed';
  readonly ip?: string | null;
  readonly details?: Record<string, unknown>;
}
export interface AuditRecord extends Required<Omit<AuditEntry, 'details'>> {
  readonly id: number;
  readonly at: Date;
  readonly details: Record<string, unknown>;
}

export interface UserQuery {
  readonly search?: string; // substring over username, email, display name (case-insensitive)
  readonly active?: boolean;
  readonly role?: Role;
  /** Where the users come from (local, or mirrored from an external directory). */
  readonly source?: UserSource;
  /** Only the members of this group (a group page reads one page of its members in one query). */
  readonly memberOf?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** Everything the in-memory view needs, read in one consistent snapshot. */
export interface Snapshot {
  readonly revision: number;
  readonly users: readonly User[];
  readonly groups: readonly Group[];
  readonly memberships: readonly Membership[];
  readonly serviceAccounts: readonly ServiceAccount[];
  readonly teams: readonly Team[];
  readonly grants: readonly Grant[];
  /** Absent in snapshots built by hand (tests): no applications. */
  readonly apps?: readonly Application[];
}

export interface StoreReader extends TeamReader, AppReader {
  getUser(id: string): Promise<User | undefined>;
  /** Case-insensitive. */
  findUserByUsername(username: string): Promise<User | undefined>;
  /** Case-insensitive. */
  findUserByEmail(email: string): Promise<User | undefined>;
  listUsers(query?: UserQuery): Promise<{ users: User[]; total: number }>;
  getGroup(id: string): Promise<Group | undefined>;
  findGroupByName(name: string): Promise<Group | undefined>;
  listGroups(): Promise<Group[]>;
  groupMemberIds(groupId: string): Promise<string[]>;
  /** How many members each group has (groups without members are absent): one query for a listing. */
  groupMemberCounts(): Promise<Map<string, number>>;
  userGroupIds(userId: string): Promise<string[]>;
  getSetting<T = unknown>(key: string): Promise<T | undefined>;
  getServiceAccount(id: string): Promise<ServiceAccount | undefined>;
  findServiceAccountByName(name: string): Promise<ServiceAccount | undefined>;
  listServiceAccounts(): Promise<ServiceAccount[]>;
  /** Newest first. */
  listAudit(query?: AuditQuery): Promise<AuditRecord[]>;
  /** How many entries match the filters of `query` (limit and offset ignored). */
  countAudit(query?: AuditQuery): Promise<number>;
}

/** Filters of the audit log; all given ones must hold. */
export interface AuditQuery {
  readonly limit?: number;
  readonly offset?: number;
  readonly action?: string;
  /** As recorded: a user id, `cli`, a service account name… */
  readonly actor?: string;
  readonly target?: string;
  /** Entries at or after this instant. */
  readonly since?: Date;
  /** Entries before this instant (so that consecutive windows never overlap). */
  readonly until?: Date;
}

/**
 * A write transaction. Every mutating method also appends the matching change-log row in the same
 * transaction; unique violations surface as DirectoryError('conflict', ..., { field }).
 */
export interface StoreTx extends StoreReader, TeamMutations {
  insertUser(user: NewUser): Promise<User>; // allocates uidNumber (from 10000, never reused)
  updateUser(id: string, patch: UserPatch): Promise<User>; // bumps updatedAt; passwordChangedAt when passwordHash changes
  deleteUser(id: string): Promise<void>; // also removes its memberships
  insertGroup(group: NewGroup): Promise<Group>; // allocates gidNumber (from 10000)
  updateGroup(id: string, patch: GroupPatch): Promise<Group>;
  deleteGroup(id: string): Promise<void>;
  addMember(groupId: string, userId: string): Promise<boolean>; // false when already a member
  removeMember(groupId: string, userId: string): Promise<boolean>;
  setMembers(groupId: string, userIds: readonly string[]): Promise<void>;
  setSetting(key: string, value: unknown): Promise<void>;
  deleteSetting(key: string): Promise<void>;
  insertServiceAccount(account: NewServiceAccount): Promise<ServiceAccount>;
  updateServiceAccount(
    id: string,
    patch: Partial<Pick<ServiceAccount, 'secretHash' | 'allowedCidrs' | 'privileged'>>,
  ): Promise<ServiceAccount>;
  deleteServiceAccount(id: string): Promise<void>;
  insertApp(app: NewApp): Promise<Application>;
  updateApp(id: string, patch: AppPatch): Promise<Application>;
  deleteApp(id: string): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Bulk forms for the users import (user-batch.ts): one savepoint, all or none of the rows. */
  insertUsers(users: readonly NewUser[]): Promise<User[]>;
  appendAudits(entries: readonly AuditEntry[]): Promise<void>;
  /** Which of the given usernames, emails and ids existing users already have (case-insensitive). */
  takenUserKeys(keys: UserKeys): Promise<TakenUserKeys>;
  /** Creating and revoking app passwords (issue 14) with their audit entry in the same commit. */
  readonly appPasswords: AppPasswordMutations;
}

export interface UserKeys {
  readonly usernames: readonly string[];
  readonly emails: readonly string[];
  readonly ids: readonly string[];
}
/** Subsets of the values asked about, spelt as given. */
export interface TakenUserKeys {
  readonly usernames: ReadonlySet<string>;
  readonly emails: ReadonlySet<string>;
  readonly ids: ReadonlySet<string>;
}

/** The outcome of Store.withAdvisoryLock: `acquired: false` when another holder has the lock. */
export type LockResult<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

export interface Store extends StoreReader {
  readonly mode: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction. On commit, the new revision is announced (Postgres NOTIFY on
   * channel `pgdir_changes`, or an in-process event with PGlite); on throw, nothing is kept.
   */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** The highest committed revision. */
  revision(): Promise<number>;
  /** Change rows with revision > `after`, ascending, at most `limit`. */
  changesSince(after: number, limit?: number): Promise<Change[]>;
  snapshot(): Promise<Snapshot>;
  /**
   * Subscribes to announced revisions (from this process and, with Postgres, from every other).
   * `onReconnect` fires after the notification connection was lost and re-established, so that
   * listeners catch up by revision. Returns the unsubscribe function.
   */
  subscribe(listener: (revision: number) => void, onReconnect?: () => void): () => void;
  /** The process's one change feed (subscribe above is its shorthand); `changes.revision` is the latest announced. */
  readonly changes: Changes;
  /**
   * Postgres: false when the LISTEN connection did not answer a query within `timeoutMs` (stalled
   * without FIN/RST); it is then dropped and re-established. PGlite: always true.
   */
  checkListener(timeoutMs: number): Promise<boolean>;
  /** Brute-force counters shared by every replica, counted atomically (DESIGN §4; store/auth-failures.ts). */
  reserveAuthAttempt(key: string, rule: AuthRule): Promise<AuthReservation>;
  releaseAuthAttempt(id: string): Promise<void>;
  recordAuthFailure(key: string, rule: AuthRule): Promise<AuthKeyState>;
  authKeyState(key: string, rule: AuthRule): Promise<AuthKeyState>;
  clearAuthFailures(key: string): Promise<void>;
  /** Every key refused now (one query for all of them), with how long it stays refused. */
  blockedAuthKeys(rule: AuthRule): Promise<{ key: string; blockedMs: number }[]>;
  /**
   * Runs `fn` while holding the named lock across every process sharing the database (Postgres
   * advisory lock; in-process with PGlite). Never waits: answers `{ acquired: false }` at once
   * when someone else holds it. `fn` uses the Store as usual (not from inside `write`).
   */
  withAdvisoryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>>;
  /** HTTP API sessions and tokens (DESIGN §8); not directory state, so outside `write`. */
  readonly apiTokens: ApiTokenStore;
  /** Invite/reset/impersonation tokens and TOTP secrets (DESIGN §7); outside `write` too. */
  readonly lifecycle: LifecycleStore;
  /** SAML request IDs and accepted assertion IDs, shared by replicas (issue 14); outside `write` too. */
  readonly sso: SsoStore;
  /** App passwords' lookups and last-used stamps (issue 14); outside `write` too. */
  readonly appPasswords: AppPasswordStore;
  /** `/register` links (issue 14); outside `write` too. */
  readonly registrations: RegistrationStore;
  /** Every table as JSON rows and back (backup, restore, migrate-store). */
  readonly tables: TableTransfer;
  /** Deletes old audit and change-log rows and expired tokens (retention). */
  readonly retention: RetentionStore;
  close(): Promise<void>;
}
