import type { EntryKind } from '../access-policy.js';
import { EntriesByDn } from './entries-by-dn.js';
import { EqualityIndex } from './equality-index.js';
import { INDEXED } from './index-values.js';
import { updateOrdered } from './ordered-list.js';
import { buildContainerEntry, buildSuffixEntry } from './container-entries.js';
import type { Dit } from './dit.js';
import { buildTeamsContainer } from './team-entries.js';
import type { ViewEntry } from './view-entry.js';

/** `team`: the entries under ou=teams (teams are containers, derived groups groups: issue 13). */
type ListKind = Exclude<EntryKind, 'container'> | 'team';

export interface EntryStoreOptions {
  /** Told about every entry that leaves the view (the encoded cache frees its bytes). */
  readonly onRemove?: (entry: ViewEntry) => void;
  /** Whether `entry`'s values of `key` go into the index (default: every indexed attribute). */
  readonly indexes?: (entry: ViewEntry, key: string) => boolean;
}

/**
 * The entries of one view with their equality indexes and the ordered lists searches walk.
 * Entries change only through put() and become visible to new searches at commit(); both run
 * synchronously, so no search ever sees half a batch.
 */
export class EntryStore {
  /** Entries by user, group or service-account id, per kind. */
  readonly byId: Readonly<Record<ListKind, Map<string, ViewEntry>>> = {
    user: new Map(),
    group: new Map(),
    system: new Map(),
    team: new Map(),
  };
  readonly byNorm: EntriesByDn;
  readonly indexes = new Map<string, EqualityIndex>([...INDEXED.keys()].map((k) => [k, new EqualityIndex()]));
  readonly suffix: ViewEntry;
  readonly usersContainer: ViewEntry;
  readonly groupsContainer: ViewEntry;
  readonly systemContainer: ViewEntry;
  readonly teamsContainer: ViewEntry;
  /** Sorted by ViewEntry.sortKey; replaced (never mutated) at commit. */
  lists: Readonly<Record<ListKind, readonly ViewEntry[]>> = { user: [], group: [], system: [], team: [] };
  private pending: Record<ListKind, { removed: ViewEntry[]; added: ViewEntry[] }> = emptyPending();

  constructor(
    readonly dit: Dit,
    private readonly options: EntryStoreOptions = {},
  ) {
    this.byNorm = new EntriesByDn(dit.usersNorm, this.byId.user);
    this.suffix = buildSuffixEntry(dit);
    this.usersContainer = buildContainerEntry(dit, 'users');
    this.groupsContainer = buildContainerEntry(dit, 'groups');
    this.systemContainer = buildContainerEntry(dit, 'system');
    this.teamsContainer = buildTeamsContainer(dit);
    for (const e of [this.suffix, this.usersContainer, this.groupsContainer, this.systemContainer, this.teamsContainer]) this.link(e);
  }

  /** Replaces the entry of `kind`/`id` (undefined removes it). */
  put(kind: ListKind, id: string, next: ViewEntry | undefined): void {
    const map = this.byId[kind];
    const old = map.get(id);
    if (old === next) return;
    if (old !== undefined) {
      this.unlink(old);
      this.options.onRemove?.(old);
      this.pending[kind].removed.push(old);
      map.delete(id);
    }
    if (next !== undefined) {
      this.link(next);
      this.pending[kind].added.push(next);
      map.set(id, next);
    }
  }

  /** Publishes the ordered lists changed since the last commit. */
  commit(): void {
    const p = this.pending;
    this.pending = emptyPending();
    this.lists = {
      user: updateOrdered(this.lists.user, p.user.removed, p.user.added),
      group: updateOrdered(this.lists.group, p.group.removed, p.group.added),
      system: updateOrdered(this.lists.system, p.system.removed, p.system.added),
      team: updateOrdered(this.lists.team, p.team.removed, p.team.added),
    };
  }

  get size(): number {
    return this.byNorm.size;
  }

  private link(entry: ViewEntry): void {
    this.byNorm.set(entry);
    for (const [key, index] of this.indexes) {
      if (this.options.indexes?.(entry, key) === false) continue;
      const keyOf = INDEXED.get(key);
      for (const value of entry.attributes.get(key) ?? []) {
        const k = keyOf?.(value);
        if (k !== undefined) index.add(k, entry);
      }
    }
  }

  private unlink(entry: ViewEntry): void {
    this.byNorm.delete(entry);
    for (const [key, index] of this.indexes) {
      if (this.options.indexes?.(entry, key) === false) continue;
      const keyOf = INDEXED.get(key);
      for (const value of entry.attributes.get(key) ?? []) {
        const k = keyOf?.(value);
        if (k !== undefined) index.remove(k, entry);
      }
    }
  }
}

function emptyPending(): Record<ListKind, { removed: ViewEntry[]; added: ViewEntry[] }> {
  return { user: { removed: [], added: [] }, group: { removed: [], added: [] }, system: { removed: [], added: [] }, team: { removed: [], added: [] } };
}
