import { createRetentionStore, type RetentionStore } from './retention-store.js';
import { createTableTransfer, type TableTransfer } from './table-transfer.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import { DirectoryError } from '../domain/errors.js';
import type { Change, LockResult, Snapshot, Store, StoreReader, StoreTx } from './store.js';
import { withLocalLock, withPostgresAdvisoryLock } from './advisory-lock.js';
import type { Database } from './schema.js';
import type { ChangeFeed, Changes } from './change-feed.js';
import { mapDbError } from './db-errors.js';
import { toChange, toGroup, toNumber, toServiceAccount, toUser } from './row-mappers.js';
import { createReader } from './store-reader.js';
import { toApp } from './app-store.js';
import { toGrant, toTeam } from './team-rows.js';
import { createStoreTx } from './store-tx.js';
import { TxContext } from './tx-context.js';
import { authKeyState, blockedAuthKeys, clearAuthFailures, recordAuthFailure, releaseAuthAttempt, reserveAuthAttempt, type AuthKeyState, type AuthReservation, type AuthRule } from './auth-failures.js';
import { createApiTokenStore, type ApiTokenStore } from './api-token-store.js';
import { createLifecycleStore, type LifecycleStore } from './lifecycle-store.js';
import { createSsoStore, type SsoStore } from './sso-store.js';
import { createAppPasswordStore, type AppPasswordStore } from './app-password-store.js';
import { createRegistrationStore, type RegistrationStore } from './registration-store.js';

/** What differs between PostgreSQL and PGlite; everything else is the same kysely code. */
export interface StoreBackend {
  readonly mode: Store['mode'];
  readonly db: Kysely<Database>;
  readonly feed: ChangeFeed;
  /** PGlite: one-at-a-time (a mutex); Postgres: runs `fn` directly (the pool isolates callers). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs inside the write transaction just before commit, when it appended changes. */
  announce(trx: Transaction<Database>, revision: number): Promise<void>;
  /** Postgres: true when the LISTEN connection answers within `timeoutMs` (re-established when not). */
  checkListener?(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Marks code running inside a `write` callback. Calling the Store (not the tx) from there is a
 * bug: it would read outside the transaction, and with PGlite's single connection (or the
 * revision row lock, for a nested write) it would wait for itself forever. It throws instead.
 */
const inWrite = new AsyncLocalStorage<true>();

type ReaderMethod = keyof StoreReader;

export class KyselyStore implements Store {
  readonly mode: Store['mode'];
  readonly #backend: StoreBackend;
  readonly #reader: StoreReader;
  readonly #heldLocks = new Set<string>();
  readonly apiTokens: ApiTokenStore;
  readonly lifecycle: LifecycleStore;
  readonly sso: SsoStore;
  readonly appPasswords: AppPasswordStore;
  readonly registrations: RegistrationStore;
  readonly tables: TableTransfer;
  readonly retention: RetentionStore;
  #closed = false;

  constructor(backend: StoreBackend) {
    this.mode = backend.mode;
    this.#backend = backend;
    this.#reader = createReader(backend.db);
    this.apiTokens = createApiTokenStore(backend.db, (fn) => this.#run(fn));
    this.lifecycle = createLifecycleStore(backend.db, (fn) => this.#run(fn));
    this.sso = createSsoStore(backend.db, (fn) => this.#run(fn));
    this.appPasswords = createAppPasswordStore(backend.db, (fn) => this.#run(fn));
    this.registrations = createRegistrationStore(backend.db, (fn) => this.#run(fn));
    this.tables = createTableTransfer(backend.db, (fn) => this.#run(fn));
    this.retention = createRetentionStore(backend.db, (fn) => this.#run(fn));
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DirectoryError('unavailable', 'the store is closed'));
    if (inWrite.getStore()) {
      return Promise.reject(
        new DirectoryError('internal', 'Store method called inside write(); use the transaction it passes'),
      );
    }
    return this.#backend.exclusive(fn).catch((error: unknown) => {
      throw mapDbError(error);
    });
  }

  #read<M extends ReaderMethod>(method: M): StoreReader[M] {
    // Looked up per call: class fields are initialised before the constructor sets #reader.
    const call = (...args: unknown[]): Promise<unknown> =>
      this.#run(() => (this.#reader[method] as (...a: unknown[]) => Promise<unknown>)(...args));
    return call as StoreReader[M];
  }

  getUser = this.#read('getUser');
  findUserByUsername = this.#read('findUserByUsername');
  findUserByEmail = this.#read('findUserByEmail');
  listUsers = this.#read('listUsers');
  getGroup = this.#read('getGroup');
  findGroupByName = this.#read('findGroupByName');
  listGroups = this.#read('listGroups');
  groupMemberIds = this.#read('groupMemberIds');
  groupMemberCounts = this.#read('groupMemberCounts');
  userGroupIds = this.#read('userGroupIds');
  getSetting = this.#read('getSetting');
  getServiceAccount = this.#read('getServiceAccount');
  findServiceAccountByName = this.#read('findServiceAccountByName');
  listServiceAccounts = this.#read('listServiceAccounts');
  getApp = this.#read('getApp');
  findAppByName = this.#read('findAppByName');
  listApps = this.#read('listApps');
  listAudit = this.#read('listAudit');
  countAudit = this.#read('countAudit');
  listTeams = this.#read('listTeams');
  getTeam = this.#read('getTeam');
  findTeamByName = this.#read('findTeamByName');
  listGrants = this.#read('listGrants');
  getGrant = this.#read('getGrant');
  findGrant = this.#read('findGrant');

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.#run(async () => {
      const { result, revision } = await this.#backend.db.transaction().execute(async (trx) => {
        const ctx = new TxContext(trx);
        try {
          const value = await inWrite.run(true, () => fn(createStoreTx(ctx)));
          await ctx.settled(); // a mutator the callback forgot to await still belongs to this commit
          if (ctx.revision !== undefined) await this.#backend.announce(trx, ctx.revision);
          return { result: value, revision: ctx.revision };
        } finally {
          ctx.close();
        }
      });
      if (revision !== undefined) this.#backend.feed.publish(revision);
      return result;
    });
  }

  revision(): Promise<number> {
    return this.#run(async () => {
      const row = await this.#backend.db.selectFrom('store_revision').select('revision').executeTakeFirstOrThrow();
      return toNumber(row.revision);
    });
  }

  changesSince(after: number, limit = 1000): Promise<Change[]> {
    return this.#run(async () => {
      const rows = await this.#backend.db
        .selectFrom('change_log')
        .selectAll()
        .where('revision', '>', Math.max(0, Math.trunc(after)))
        .orderBy('revision')
        .limit(Math.min(Math.max(Math.trunc(limit), 1), 100_000))
        .execute();
      return rows.map(toChange);
    });
  }

  /** One REPEATABLE READ, read-only transaction: every list and the revision agree. */
  snapshot(): Promise<Snapshot> {
    return this.#run(() =>
      this.#backend.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (trx) => {
          const revision = await trx.selectFrom('store_revision').select('revision').executeTakeFirstOrThrow();
          const users = await trx.selectFrom('users').selectAll().orderBy('uid_number').execute();
          const groups = await trx.selectFrom('groups').selectAll().orderBy('gid_number').execute();
          const memberships = await trx.selectFrom('memberships').select(['group_id', 'user_id']).execute();
          const accounts = await trx.selectFrom('service_accounts').selectAll().orderBy('name').execute();
          const apps = await trx.selectFrom('apps').selectAll().orderBy('name').execute();
          const teams = await trx.selectFrom('teams').selectAll().execute();
          const grants = await trx.selectFrom('grants').selectAll().execute();
          return {
            revision: toNumber(revision.revision),
            users: users.map(toUser),
            groups: groups.map(toGroup),
            memberships: memberships.map((m) => ({ groupId: m.group_id, userId: m.user_id })),
            serviceAccounts: accounts.map(toServiceAccount),
            apps: apps.map(toApp),
            teams: teams.map(toTeam),
            grants: grants.map(toGrant),
          };
        }),
    );
  }

  subscribe(listener: (revision: number) => void, onReconnect?: () => void): () => void {
    return this.#backend.feed.subscribe(listener, onReconnect);
  }

  get changes(): Changes {
    return this.#backend.feed;
  }

  checkListener(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return this.#backend.checkListener?.(timeoutMs) ?? Promise.resolve(true);
  }

  reserveAuthAttempt(key: string, rule: AuthRule): Promise<AuthReservation> {
    return this.#run(() => reserveAuthAttempt(this.#backend.db, key, rule));
  }

  releaseAuthAttempt(id: string): Promise<void> {
    return this.#run(() => releaseAuthAttempt(this.#backend.db, id));
  }

  recordAuthFailure(key: string, rule: AuthRule): Promise<AuthKeyState> {
    return this.#run(() => recordAuthFailure(this.#backend.db, key, rule));
  }

  authKeyState(key: string, rule: AuthRule): Promise<AuthKeyState> {
    return this.#run(() => authKeyState(this.#backend.db, key, rule));
  }

  blockedAuthKeys(rule: AuthRule): Promise<{ key: string; blockedMs: number }[]> {
    return this.#run(() => blockedAuthKeys(this.#backend.db, rule));
  }

  clearAuthFailures(key: string): Promise<void> {
    return this.#run(() => clearAuthFailures(this.#backend.db, key));
  }

  withAdvisoryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
    if (this.#backend.mode === 'pglite') return this.#run(async () => undefined).then(() => withLocalLock(this.#heldLocks, name, fn));
    return this.#run(() => withPostgresAdvisoryLock(this.#backend.db, name, fn));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#backend.feed.clear();
    // Waits for the transaction in progress (PGlite) before closing underneath it.
    await this.#backend.exclusive(async () => undefined);
    await this.#backend.close();
  }
}
