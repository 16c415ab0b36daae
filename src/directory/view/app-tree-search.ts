import type { MatchContext } from '../../domain/entry.js';
import type { Filter } from '../../domain/filter.js';
import { compileFilter } from '../../domain/filter-match.js';
import type { Visibility } from '../access-policy.js';
import { appsDn } from './app-dit.js';
import { appTree, visibleTree } from './app-tree.js';
import type { DirectoryState } from './directory-state.js';
import { SearchCursor } from './search-cursor.js';
import { SearchScope, type SearchOutcome } from './view-search.js';
import type { ViewEntry } from './view-entry.js';

/** Yields `first`'s entries, then `second`'s: the global tree, then ou=apps (RFC 4511 §4.5.1.2 subtree). */
class ChainedCursor extends SearchCursor {
  constructor(
    private readonly first: SearchCursor,
    private readonly second: SearchCursor,
  ) {
    super([], () => false);
  }

  override next(): ViewEntry | undefined {
    return this.first.done ? this.second.next() : this.first.next();
  }

  override get done(): boolean {
    return this.first.done && this.second.done;
  }
}

const cursorOver = (entries: readonly ViewEntry[], filter: Filter, ctx: MatchContext): SearchCursor =>
  new SearchCursor([entries], compileFilter(filter, ctx));

/**
 * A one-level or subtree search at the suffix also covers ou=apps as far as the requester may
 * see it: the container (one level), or the container, the application entries and the view
 * roots (subtree). A subtree search does not descend into the applications' views: each user
 * would come back once per application. Other outcomes are returned as they are.
 */
export function withAppTree(state: DirectoryState, ctx: MatchContext, scope: SearchScope, filter: Filter, visibility: Visibility | undefined, outcome: SearchOutcome): SearchOutcome {
  if (!outcome.found || scope === SearchScope.base || outcome.base !== state.entries.suffix) return outcome;
  const visible = visibleTree(appTree(state.dit, state.records.apps), visibility);
  if (visible.length === 0) return outcome;
  const entries = scope === SearchScope.one ? visible.slice(0, 1) : visible;
  return { found: true, base: outcome.base, cursor: new ChainedCursor(outcome.cursor, cursorOver(entries, filter, ctx)) };
}

/**
 * A search based at `ou=apps` (`app` undefined) or at an application entry `cn=<app>,ou=apps`.
 * What the requester may not see answers 32 like a missing entry, with the closest entry it
 * may see as matchedDN (ou=apps or the suffix).
 */
export function searchAppTree(state: DirectoryState, ctx: MatchContext, appId: string | null | undefined, scope: SearchScope, filter: Filter, visibility: Visibility | undefined): SearchOutcome {
  const tree = appTree(state.dit, state.records.apps);
  const visible = visibleTree(tree, visibility);
  const containerSeen = visible[0] === tree.container;
  const base = appId === null ? (containerSeen ? tree.container : undefined) : visible.find((e) => e.kind === 'system' && e.id === appId);
  if (base === undefined) return { found: false, matchedDn: appId !== null && containerSeen ? appsDn(state.dit) : state.dit.suffixDn };
  const below = base === tree.container ? visible.slice(1) : [];
  const entries = scope === SearchScope.base ? [base] : scope === SearchScope.one ? below : [base, ...below];
  return { found: true, base, cursor: cursorOver(entries, filter, ctx) };
}
