import type { Application } from '../../domain/application.js';
import type { MatchContext } from '../../domain/entry.js';
import type { Filter } from '../../domain/filter.js';
import type { Visibility } from '../access-policy.js';
import { hasAppAccess } from './app-access.js';
import { appPlace, type AppPlace } from './app-dit.js';
import { rebaseFor, TransientEntry, type AppRebase } from './app-entries.js';
import { searchAppTree, withAppTree } from './app-tree-search.js';
import { appTree, visibleTree } from './app-tree.js';
import type { DirectoryState } from './directory-state.js';
import { groupNorm } from './dit.js';
import { resolveEntry, userByRdn } from './dn-resolver.js';
import { searchState, type SearchHooks, type SearchOptions, type SearchOutcome, type SearchScope } from './view-search.js';
import type { ViewEntry } from './view-entry.js';

const MEMBER_KEYS = ['member', 'uniquemember', 'memberuid'] as const;
const UID_PREFIX = 'cn=uid-';
const NOT_FOUND: SearchOutcome = Object.freeze({ found: false, matchedDn: '' });
const MAYBE_APPS = /apps/i;

const NO_OPTIONS: SearchOptions = Object.freeze({});

/** Parsed places by base DN string, per application set (AppRecords clears them on change); null: not under ou=apps. */
function cachedPlace(state: DirectoryState, baseDn: string): AppPlace | undefined {
  const cache = state.records.apps.places as Map<string, AppPlace | null>;
  const held = cache.get(baseDn);
  if (held !== undefined) return held ?? undefined;
  const place = appPlace(state, baseDn);
  if (cache.size >= 4096) cache.clear();
  cache.set(baseDn, place ?? null);
  return place;
}

/**
 * Searches through applications (issue 16). A base under `ou=<app>,ou=apps,<suffix>` searches
 * the global entries that app may see and sends them re-based under its view; an application
 * bound as itself gets the same narrowing whatever the base (global DNs kept for a global base).
 * Unknown apps, and other apps' views for an app, answer 32 like a missing entry.
 */
export function searchWithApps(
  state: DirectoryState,
  ctx: MatchContext,
  baseDn: string,
  scope: SearchScope,
  filter: Filter,
  options: SearchOptions = {},
): SearchOutcome {
  const visibility = options.visibility;
  // Every search passes here: a base that cannot be under ou=apps skips the DN parse.
  const place = visibility?.kind !== 'app' && !MAYBE_APPS.test(baseDn) ? undefined : cachedPlace(state, baseDn);
  const bound = visibility?.kind === 'app' ? state.records.apps.get(visibility.appId) : undefined;
  if (place === undefined) {
    if (visibility?.kind === 'app' && bound === undefined) return NOT_FOUND; // deleted since the bind
    const hooks = bound === undefined ? undefined : hooksFor(state, ctx, bound, undefined);
    return withAppTree(state, ctx, scope, filter, visibility, searchState(state, ctx, baseDn, scope, filter, options, hooks));
  }
  if (place.kind === 'apps') return searchAppTree(state, ctx, null, scope, filter, visibility);
  if (place.kind === 'bind') return searchAppTree(state, ctx, place.app?.id, scope, filter, visibility);
  const app = 'app' in place ? place.app : undefined;
  if (app === undefined || place.kind === 'nothing') return notFound(state, visibility);
  if (visibility?.kind === 'none' || (visibility?.kind === 'app' && bound?.id !== app.id)) return notFound(state, visibility);
  const rebase = rebaseFor(state.dit, app);
  const global = globalBase(state, app, place);
  if (global === undefined) return { found: false, matchedDn: place.kind === 'user' ? rebase.users.dn : place.kind === 'group' ? rebase.groups.dn : rebase.viewDn };
  const inner = visibility?.kind === 'app' ? NO_OPTIONS : options;
  const outcome = searchState(state, ctx, global.dn, scope, filter, inner, hooksFor(state, ctx, app, rebase));
  if (!outcome.found) return { found: false, matchedDn: outcome.matchedDn === '' ? '' : rebase.dn(outcome.matchedDn) };
  return { found: true, base: rebase.entry(outcome.base), cursor: outcome.cursor };
}

/** 32 under ou=apps, with the closest entry the requester may see: ou=apps, else the suffix. */
function notFound(state: DirectoryState, visibility: Visibility | undefined): SearchOutcome {
  const tree = appTree(state.dit, state.records.apps);
  return { found: false, matchedDn: visibleTree(tree, visibility).length > 0 ? tree.container.dn : state.dit.suffixDn };
}

/** The global entry an app-view base stands for (the suffix stands for the app's root). */
function globalBase(state: DirectoryState, app: Application, place: AppPlace): ViewEntry | undefined {
  const e = state.entries;
  switch (place.kind) {
    case 'root':
      return e.suffix;
    case 'users':
      return e.usersContainer;
    case 'groups':
      return e.groupsContainer;
    case 'user': {
      const entry = userByRdn(state, place.rdn).entry;
      return entry?.user !== undefined && hasAppAccess(state, app, entry.user) ? entry : undefined;
    }
    case 'group': {
      const value = place.rdn.length === 1 && place.rdn[0]?.type === 'cn' ? place.rdn[0].value : undefined;
      return value === undefined ? undefined : e.byNorm.get(groupNorm(state.dit, value));
    }
    default:
      return undefined;
  }
}

/**
 * The hooks of one app, made once per application record, state and context rather than per
 * search (closures per search cost more than the search itself). Records are replaced on change
 * and the state is followed in place, so the hooks always read the current directory.
 */
interface HeldHooks {
  readonly state: DirectoryState;
  readonly ctx: MatchContext;
  readonly global: SearchHooks;
  readonly view: SearchHooks;
}
const heldHooks = new WeakMap<Application, HeldHooks>();

function hooksFor(state: DirectoryState, ctx: MatchContext, app: Application, rebase: AppRebase | undefined): SearchHooks {
  // The last app's hooks are kept on the state's app records (gone with them, and on any app
  // change): consecutive searches through one app skip the WeakMap's ephemeron lookup.
  const records = state.records.apps;
  const last = records.lastHooks as (HeldHooks & { readonly app: Application }) | undefined;
  let held: HeldHooks | undefined = last !== undefined && last.app === app ? last : heldHooks.get(app);
  if (held === undefined || held.state !== state || held.ctx !== ctx) {
    held = { state, ctx, global: appHooks(state, ctx, app, undefined), view: appHooks(state, ctx, app, rebaseFor(state.dit, app)) };
    heldHooks.set(app, held);
  }
  if (held !== last) records.lastHooks = { ...held, app };
  return rebase === undefined ? held.global : held.view;
}

/** What an app may see: users with access, every group (members narrowed), the suffix and ou=users/ou=groups. */
function appHooks(state: DirectoryState, ctx: MatchContext, app: Application, rebase: AppRebase | undefined): SearchHooks {
  const { records, entries } = state;
  const userAllowed = (id: string): boolean => {
    const user = records.users.get(id);
    return user !== undefined && hasAppAccess(state, app, user);
  };
  const teams = entries.teamsContainer;
  const visible = (e: ViewEntry): boolean => {
    if (e.kind === 'user') return e.user !== undefined && hasAppAccess(state, app, e.user);
    // The app's own tree (rebase) holds ou=users and ou=groups only: no ou=teams under it.
    if (rebase !== undefined && (e === teams || e.parent === teams.normDn)) return false;
    if (e.kind === 'container') return e !== entries.systemContainer;
    return e.kind === 'group';
  };
  const resolve = (dn: string): ViewEntry | undefined => {
    const place = rebase === undefined ? undefined : appPlace(state, dn);
    const entry = place === undefined ? resolveEntry(state, dn) : place.kind === 'user' || place.kind === 'group' ? (place.app?.id === app.id ? globalBase(state, app, place) : undefined) : undefined;
    return entry !== undefined && visible(entry) ? entry : undefined;
  };
  return {
    visible,
    present: (e) => (e.kind === 'group' ? narrowMembers(e, userAllowed) : rebase !== undefined && e === entries.suffix ? rebase.root : e),
    ...(rebase === undefined ? {} : { output: (e: ViewEntry) => rebase.entry(e) }),
    ctx: { ...ctx, resolveDn: (value) => resolve(value)?.normDn },
    resolve,
  };
}

/** A group as the app sees it: member, uniqueMember and memberUid of users with access only. */
function narrowMembers(entry: ViewEntry, allowed: (userId: string) => boolean): ViewEntry {
  const dns = entry.attributes.get('member');
  if (dns === undefined || dns.length === 0) return entry;
  const keep: number[] = [];
  for (let i = 0; i < dns.length; i++) {
    const dn = dns[i] as string;
    // Member DNs are the view's own `cn=uid-<uuid>,ou=users,...` (user-entry.ts).
    if (dn.startsWith(UID_PREFIX) && allowed(dn.slice(UID_PREFIX.length, UID_PREFIX.length + 36))) keep.push(i);
  }
  if (keep.length === dns.length) return entry;
  const attrs = new Map(entry.attributes);
  // member, uniqueMember and memberUid are index-aligned (group-entry.ts memberValues).
  for (const key of MEMBER_KEYS) {
    const values = entry.attributes.get(key);
    if (values === undefined) continue;
    if (keep.length === 0) attrs.delete(key);
    else attrs.set(key, Object.freeze(keep.map((i) => values[i] as string)));
  }
  return new TransientEntry(entry.dn, entry.normDn, attrs, entry.kind, entry.id, entry.parent, entry.sortKey);
}
