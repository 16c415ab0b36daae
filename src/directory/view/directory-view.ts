import type { MatchContext } from '../../domain/entry.js';
import type { Filter } from '../../domain/filter.js';
import type { Store } from '../../store/store.js';
import { silentLogger, type StoreLogger } from '../../store/store-logger.js';
import { compileSelection, type AttributeSelection } from './attribute-selection.js';
import { ChangeFollower, type FollowerOptions } from './change-follower.js';
import { DirectoryState } from './directory-state.js';
import { createDit, type Dit } from './dit.js';
import { inChain, resolveBindTarget, resolveEntry, type BindTarget } from './dn-resolver.js';
import { EncodedCache, type EncodedCacheOptions, type EntryEncoder } from './encoded-cache.js';
import { searchState, type SearchOptions, type SearchOutcome, type SearchScope } from './view-search.js';
import { RevisionWaiters } from './revision-waiters.js';
import { viewStats, type ViewStats } from './view-stats.js';
import { searchWithApps } from './app-search.js';
import { encodedRebased, isTransient } from './app-entries.js';
import { resolveAppBindTarget, type AppBindTarget } from './app-bind-target.js';
import type { Application } from '../../domain/application.js';
import type { ViewEntry } from './view-entry.js';
import type { Level } from '../../domain/levels.js';

export interface DirectoryViewOptions extends FollowerOptions {
  readonly store: Store;
  /** ldap.suffix, e.g. `dc=example,dc=com`. */
  readonly suffix: string;
  readonly homePrefix?: string;
  readonly loginShell?: string;
  /** `ldap.builtin_groups`: the LDAP names of the built-in groups. */
  readonly builtinNames?: { readonly users: string; readonly admins: string };
  readonly logger?: StoreLogger;
  /** The LDAP codec's SearchResultEntry body encoder, for the encoded-entry cache. */
  readonly encode?: EntryEncoder;
  readonly cache?: EncodedCacheOptions;
}

export interface DirectoryView {
  readonly dit: Dit;
  /** Revision of the change log the view reflects. */
  readonly revision: number;
  /** Reads the snapshot and starts following changes. */
  load(): Promise<void>;
  close(): void;
  /** True once the view reflects `revision` (catching up now if behind); false on timeout. */
  waitForRevision(revision: number, timeoutMs?: number): Promise<boolean>;
  catchUp(): Promise<void>;
  reload(): Promise<void>;
  search(base: string, scope: SearchScope, filter: Filter, options?: SearchOptions): SearchOutcome;
  /** The entry a DN designates (any case/spacing; user DNs also by DESIGN §4's rule). */
  findEntry(dn: string): ViewEntry | undefined;
  resolveBind(dn: string): BindTarget | undefined;
  /** A bind DN under `ou=apps` (issue 16); undefined for every other DN. */
  resolveAppBind(dn: string): AppBindTarget | undefined;
  /** The applications as the view last read them. */
  apps(): readonly Application[];
  /** resolveDn and inChain for the filter evaluator (Compare uses it too). */
  readonly matchContext: MatchContext;
  selection(attributes: readonly string[], typesOnly?: boolean): AttributeSelection;
  /** The encoded SearchResultEntry body, cached per selection; needs `encode`. */
  encoded(entry: ViewEntry, selection: AttributeSelection): Buffer;
  stats(): ViewStats;
  /**
   * Issue 13, a stable interface for other features (applications' "at least level L on team T"
   * rules): the user's effective level on the team given by id or name, from the view's records
   * (no query): null for no level, an unknown team or user, or an inactive user. Compare with
   * `atLeast(level, L)` from domain/levels.ts.
   */
  levelOnTeam(userId: string, team: string): Level | null;
  /**
   * The state searches read now (read only; replaced whole on a reload), for use cases that answer
   * from memory: the console's users list and who may use an application (directory/users/user-listing.ts).
   */
  state(): DirectoryState;
}

/** Creates the in-memory directory view (DESIGN §2.3); call load() before searching. */
export function createDirectoryView(options: DirectoryViewOptions): DirectoryView {
  const dit = createDit(options);
  const logger = options.logger ?? silentLogger;
  const { store } = options;
  const cache = options.encode ? new EncodedCache(options.encode, options.cache) : undefined;
  const waiters = new RevisionWaiters();
  const timings = { loadMs: 0, reloads: 0, loadedAt: 0 };
  let state: DirectoryState | undefined;
  let reloading: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;

  const current = (): DirectoryState => {
    if (state === undefined) throw new Error('directory view used before load()');
    return state;
  };
  const changed = (): void => waiters.reached(current().revision);

  async function rebuild(reason: string): Promise<void> {
    const started = performance.now();
    const snapshot = await store.snapshot();
    // The previous state's built-in timestamps are a floor: deleted users leave no row to recompute them from.
    const next = DirectoryState.load(dit, snapshot, (e) => cache?.release(e), state?.builtinModified);
    // Swapped in one assignment: searches see the old state or the new one.
    state = next;
    cache?.reset();
    timings.loadMs = Math.round(performance.now() - started);
    timings.loadedAt = Date.now();
    logger.info({ reason, revision: next.revision, entries: next.entries.size, ms: timings.loadMs }, 'directory view loaded');
    changed();
  }
  const reload = (reason: string): Promise<void> => {
    reloading ??= rebuild(reason)
      .then(() => void timings.reloads++)
      .finally(() => (reloading = undefined));
    return reloading;
  };

  const follower = new ChangeFollower(store, { current, reload, changed }, logger, options);
  const matchContext: MatchContext = {
    resolveDn: (value) => resolveEntry(current(), value)?.normDn,
    inChain: (entry, attribute, target) => inChain(current(), entry, attribute, target),
  };

  return {
    dit,
    get revision() {
      return state?.revision ?? 0;
    },
    async load() {
      // Subscribe first: a commit between snapshot and subscription is then announced, not lost.
      unsubscribe = store.subscribe(() => void (state && follower.request()), () => void (state && follower.request()));
      try {
        await rebuild('start');
      } catch (error) {
        unsubscribe();
        throw error;
      }
      await follower.request();
    },
    close() {
      unsubscribe?.();
      follower.close();
      waiters.close();
    },
    async waitForRevision(revision, timeoutMs = 5000) {
      if ((state?.revision ?? -1) >= revision) return true;
      const wait = waiters.wait(revision, timeoutMs);
      if (state !== undefined) void follower.request();
      return wait;
    },
    catchUp: () => follower.request(),
    reload: () => reload('requested'),
    search: (base, scope, filter, searchOptions) =>
      searchWithApps(current(), matchContext, base, scope, filter, searchOptions) ?? searchState(current(), matchContext, base, scope, filter, searchOptions),
    findEntry: (dn) => resolveEntry(current(), dn),
    resolveBind: (dn) => resolveBindTarget(current(), dn),
    resolveAppBind: (dn) => resolveAppBindTarget(current(), dn),
    apps: () => [...current().records.apps.values()],
    matchContext,
    selection: compileSelection,
    encoded(entry, selection) {
      if (cache === undefined) throw new Error('directory view created without an encoder');
      // Entries made for one search (application views) are encoded but never kept.
      if (!isTransient(entry)) return cache.get(entry, selection);
      return encodedRebased(cache, entry, selection) ?? cache.encodeOnly(entry, selection);
    },
    stats: () => viewStats(state, follower, cache, timings),
    levelOnTeam: (userId, team) => current().teams.levelOnTeam(userId.toLowerCase(), team),
    state: current,
  };
}
