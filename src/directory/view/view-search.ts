import type { MatchContext } from '../../domain/entry.js';
import type { Filter } from '../../domain/filter.js';
import { isVisible, type Visibility } from '../access-policy.js';
import { planCandidates, type Hit } from './candidate-plan.js';
import { formatDn, normalizeRdns, parseDn } from '../../domain/dn.js';
import { resolveEntry } from './dn-resolver.js';
import { compileFilter } from '../../domain/filter-match.js';
import { maskedContext, memberMask } from './member-mask.js';
import { SearchCursor } from './search-cursor.js';
import { compareEntries, type ViewEntry } from './view-entry.js';
import type { DirectoryState } from './directory-state.js';

/** RFC 4511 §4.5.1.2 scope values (the same numbers as the protocol's SearchRequest.scope). */
export const SearchScope = { base: 0, one: 1, sub: 2 } as const;
export type SearchScope = (typeof SearchScope)[keyof typeof SearchScope];

export interface SearchOptions {
  /** What the requester may see (access-policy.ts); default everything. */
  readonly visibility?: Visibility;
}

/** How an application's view narrows and re-bases a search (app-search.ts). */
export interface SearchHooks {
  /** Checked with the visibility: entries the app may not see count as absent. */
  readonly visible: (entry: ViewEntry) => boolean;
  /** What the filter judges (members limited to users with access). */
  readonly present: (entry: ViewEntry) => ViewEntry;
  /** What is sent (DNs re-based under the app's view). */
  readonly output?: (entry: ViewEntry) => ViewEntry;
  /** Resolves filter DNs, for the evaluator and the index planner. */
  readonly ctx: MatchContext;
  readonly resolve: (dn: string) => ViewEntry | undefined;
}

export type SearchOutcome =
  | { readonly found: true; readonly base: ViewEntry; readonly cursor: SearchCursor }
  /** noSuchObject (32): `matchedDn` is the closest existing, visible ancestor ('' for none). */
  | { readonly found: false; readonly matchedDn: string };

const ALL: Visibility = { kind: 'all' };

/** Below this many candidates an index lookup always wins over scanning the scope. */
const SMALL_PLAN = 64;

/**
 * Runs a search on one state: resolves the base (invisible entries count as absent, so access
 * rules never reveal existence), picks candidates from the indexes when they are clearly fewer
 * than the scope holds, and returns a lazy cursor re-checking each with the exact filter.
 * An invalid base DN throws invalidDNSyntax (34).
 */
export function searchState(
  state: DirectoryState,
  ctx: MatchContext,
  baseDn: string,
  scope: SearchScope,
  filter: Filter,
  options: SearchOptions = {},
  hooks?: SearchHooks,
): SearchOutcome {
  const visibility = options.visibility ?? ALL;
  const visible = hooks === undefined
    ? (e: ViewEntry): boolean => isVisible(visibility, e.kind, e.normDn)
    : (e: ViewEntry): boolean => isVisible(visibility, e.kind, e.normDn) && hooks.visible(e);
  const base = resolveEntry(state, baseDn);
  if (base === undefined || !visible(base)) return { found: false, matchedDn: matchedDn(state, baseDn, visible) };
  const match = compileFilter(filter, maskedContext(hooks?.ctx ?? ctx, visibility));
  const accept = (e: ViewEntry): boolean => visible(e) && match(e);
  const mask = composeMask(memberMask(visibility), hooks?.present);
  const output = hooks?.output;
  const plan = planCandidates(filter, state, hooks?.resolve ?? ((dn) => resolveEntry(state, dn)));
  // The scope's size matters only for a plan too big to win outright (a point search never builds it).
  if (plan !== undefined && plan.size <= SMALL_PLAN) return { found: true, base, cursor: new SearchCursor([candidates(state, plan, base, scope)], accept, mask, output) };
  const segments = scopeSegments(state, base, scope, visibility);
  if (plan !== undefined && plan.size * 4 <= segments.reduce((n, s) => n + s.length, 0)) {
    return { found: true, base, cursor: new SearchCursor([candidates(state, plan, base, scope)], accept, mask, output) };
  }
  return { found: true, base, cursor: new SearchCursor(segments, accept, mask, output) };
}

/** A plan's candidates within the scope, each once, in global order. */
function candidates(state: DirectoryState, plan: Hit, base: ViewEntry, scope: SearchScope): readonly ViewEntry[] {
  if (plan.size <= 1) {
    // Zero or one candidate (an equality on a unique value): nothing to merge or sort.
    const only = plan.parts.find((part) => part.length > 0)?.[0];
    return only !== undefined && inScope(state, only, base, scope) ? [only] : [];
  }
  const seen = new Set<ViewEntry>();
  const list: ViewEntry[] = [];
  for (const part of plan.parts) {
    for (const e of part) {
      if (seen.has(e)) continue;
      seen.add(e);
      if (inScope(state, e, base, scope)) list.push(e);
    }
  }
  return list.sort(compareEntries);
}

function composeMask(
  first: ((e: ViewEntry) => ViewEntry) | undefined,
  second: ((e: ViewEntry) => ViewEntry) | undefined,
): ((e: ViewEntry) => ViewEntry) | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return (e) => second(first(e));
}

function matchedDn(state: DirectoryState, baseDn: string, visible: (e: ViewEntry) => boolean): string {
  const rdns = parseDn(baseDn);
  for (let i = 1; i < rdns.length; i++) {
    const entry = state.entries.byNorm.get(formatDn(normalizeRdns(rdns.slice(i))));
    if (entry !== undefined && visible(entry)) return entry.dn;
  }
  return '';
}

export function inScope(state: DirectoryState, entry: ViewEntry, base: ViewEntry, scope: SearchScope): boolean {
  if (scope === SearchScope.base) return entry === base;
  if (scope === SearchScope.one) return entry.parent === base.normDn;
  if (entry === base) return true;
  for (let p = entry.parent; p !== null; p = state.entries.byNorm.get(p)?.parent ?? null) {
    if (p === base.normDn) return true;
  }
  return false;
}

/**
 * The entries a scope covers, in global order, as frozen arrays (RFC 4511 §4.5.1.2: a subtree
 * search at a leaf yields the leaf; one level under a leaf yields nothing).
 */
function scopeSegments(state: DirectoryState, base: ViewEntry, scope: SearchScope, visibility: Visibility): (readonly ViewEntry[])[] {
  if (scope === SearchScope.base) return [[base]];
  const e = state.entries;
  const users = (): readonly ViewEntry[] => {
    if (visibility.kind !== 'self') return e.lists.user;
    const self = e.byNorm.get(visibility.normDn);
    return self?.kind === 'user' ? [self] : [];
  };
  const children = (c: ViewEntry): (readonly ViewEntry[])[] => {
    if (c === e.usersContainer) return [users()];
    if (c === e.groupsContainer) return [e.lists.group];
    if (c === e.systemContainer) return [e.lists.system];
    if (c === e.teamsContainer) return [e.lists.team];
    if (c === e.suffix) return [[e.usersContainer, e.groupsContainer, e.systemContainer, e.teamsContainer]];
    return [];
  };
  if (scope === SearchScope.one) return children(base);
  if (base !== e.suffix) return [[base], ...children(base)];
  return [[base], [e.usersContainer], users(), [e.groupsContainer], e.lists.group, [e.systemContainer], e.lists.system, [e.teamsContainer], e.lists.team];
}
