import type { Actor } from '../../domain/actor.js';
import type { Application } from '../../domain/application.js';
import type { User } from '../../domain/model.js';
import { assertMay } from '../../domain/permissions.js';
import type { Store, UserQuery } from '../../store/store.js';
import type { AccessState } from '../view/app-access-index.js';
import { plainUser } from '../view/user-record.js';
import { parseUserQuery } from './user-query.js';
import { SortedUsers } from './sorted-users.js';
import { pageOfUsers } from './users-page.js';

/** What listings read of the daemon's in-memory view state (view/directory-state.ts has it). */
export interface ListingState extends AccessState {
  readonly revision: number;
  readonly records: AccessState['records'] & {
    readonly groups: ReadonlyMap<string, { readonly name: string }>;
    /** The applications as the view holds them (their access bits belong to these records). */
    readonly apps: { get(id: string): Application | undefined };
  };
  readonly teams: AccessState['teams'] & { readonly teams: ReadonlyMap<string, { readonly name: string }> };
}

/** The view as listings use it (DirectoryView, view/directory-view.ts). */
export interface ListingView {
  waitForRevision(revision: number, timeoutMs?: number): Promise<boolean>;
  state(): ListingState;
}

/** The view's state once it reflects the store's latest revision, and its users in the listing order. */
export interface ListingSnapshot {
  readonly state: ListingState;
  readonly sorted: readonly User[];
}

export interface UserListing {
  /** Plugs in the daemon's loaded view (app.ts); until then, and without one, listings ask the store. */
  attach(view: ListingView | undefined): void;
  /** The view caught up with the store's revision as of now; undefined without a view or when it lags beyond the wait. */
  snapshot(): Promise<ListingSnapshot | undefined>;
  /** store.listUsers's answer (user.list in may()), from the view when there is one: the console's Users list. */
  listUsers(query?: UserQuery, actor?: Actor): Promise<{ users: User[]; total: number }>;
}

/**
 * How long a listing waits for the view to reach the store's revision before asking the store
 * instead (the view follows the change feed within milliseconds; a longer lag is a reload).
 */
const CATCH_UP_MS = 2000;

/**
 * User listings answered from the daemon's in-memory view (issue 15: the Users list at 100,000
 * users), with the store's exact results: the same order (sorted-users.ts) and filters
 * (users-page.ts). Read-your-writes as for the LDAP side (ldap/ops/extended.ts): each listing first
 * waits until the view reflects the store's current revision, so a user just created or changed
 * through any replica is listed as the store has it; without a view (a daemon without LDAP, the
 * CLI) or if the view cannot catch up in time, the store answers.
 */
export function createUserListing(store: Store): UserListing {
  let view: ListingView | undefined;
  const order = new SortedUsers();
  const snapshot = async (): Promise<ListingSnapshot | undefined> => {
    const attached = view;
    if (attached === undefined) return undefined;
    if (!(await attached.waitForRevision(await store.revision(), CATCH_UP_MS))) return undefined;
    const state = attached.state();
    return { state, sorted: order.of(state.records.users, state.revision) };
  };
  return {
    attach(next) {
      view = next;
    },
    snapshot,
    async listUsers(query, actor) {
      if (actor !== undefined) assertMay(actor, 'user.list');
      const parsed = parseUserQuery(query);
      const now = await snapshot();
      if (now === undefined) return store.listUsers(parsed);
      const page = pageOfUsers(now.sorted, parsed);
      // Copies: the view's records are its own (and their dates are getters, which JSON would drop).
      return { users: page.users.map(plainUser), total: page.total };
    },
  };
}
