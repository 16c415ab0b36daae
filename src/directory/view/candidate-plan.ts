import type { Filter } from '../../domain/filter.js';
import { attributeKey } from '../../domain/attribute-schema.js';
import { oidKey } from '../../domain/matching-rules.js';
import { INDEX_ALIAS, INDEXED } from './index-values.js';
import { GROUP_OBJECT_CLASSES } from './group-entry.js';
import { USER_OBJECT_CLASSES } from './user-entry.js';
import type { DirectoryState } from './directory-state.js';
import type { ViewEntry } from './view-entry.js';

/**
 * Candidates an index offers for a filter: a superset of the entries that can match, as arrays
 * (possibly overlapping, so `size` is an upper bound). `undefined` means no index applies.
 * Every candidate is re-checked with the exact evaluator, so planning only has to never miss.
 */
export interface Hit {
  readonly size: number;
  readonly parts: readonly (readonly ViewEntry[])[];
}

const hit = (...parts: (readonly ViewEntry[])[]): Hit => ({ size: parts.reduce((n, p) => n + p.length, 0), parts });

type Resolve = (dn: string) => ViewEntry | undefined;

export function planCandidates(filter: Filter, state: DirectoryState, resolve: Resolve): Hit | undefined {
  switch (filter.type) {
    case 'and': {
      // Any one indexable conjunct bounds the result: take the smallest.
      let best: Hit | undefined;
      for (const f of filter.filters) {
        const h = planCandidates(f, state, resolve);
        if (h !== undefined && (best === undefined || h.size < best.size)) best = h;
      }
      return best;
    }
    case 'or': {
      // A union is bounded only if every disjunct is; `(|)` is absolute false (RFC 4526).
      const parts: (readonly ViewEntry[])[] = [];
      for (const f of filter.filters) {
        const h = planCandidates(f, state, resolve);
        if (h === undefined) return undefined;
        parts.push(...h.parts);
      }
      return hit(...parts);
    }
    case 'equality':
    case 'approx': // DESIGN §5: approximate match is equality
      return equalityHit(attributeKey(filter.attribute), filter.value, state, resolve);
    default:
      return undefined;
  }
}

function equalityHit(key: string, value: string, state: DirectoryState, resolve: Resolve): Hit | undefined {
  switch (key) {
    case 'objectclass':
      return objectClassHit(value, state);
    case 'memberof': {
      const group = resolve(value);
      return group?.kind === 'group' ? hit(membersOf(state, group)) : hit();
    }
    case 'member':
    case 'uniquemember': {
      const user = resolve(value);
      return user?.kind === 'user' ? hit(groupsOf(state, user)) : hit();
    }
    case 'entrydn': {
      const entry = resolve(value);
      return entry === undefined ? hit() : hit([entry]);
    }
  }
  const indexName = INDEX_ALIAS.get(key) ?? key;
  const index = state.entries.indexes.get(indexName);
  const k = INDEXED.get(indexName)?.(value);
  if (index === undefined) return undefined;
  return k === undefined ? undefined : hit(index.get(k));
}

const USER_CLASS_KEYS = new Set([...USER_OBJECT_CLASSES].map(oidKey));
const GROUP_CLASS_KEYS = new Set([...GROUP_OBJECT_CLASSES].map(oidKey));

/**
 * objectClass values are fixed per kind: whole ordered lists, plus the few other entries. Keys
 * come from objectIdentifierMatch, so a class named by OID or in any case is found the same way.
 */
function objectClassHit(value: string, state: DirectoryState): Hit | undefined {
  const want = oidKey(value);
  if (want === undefined) return undefined;
  const { entries } = state;
  const parts: (readonly ViewEntry[])[] = [];
  if (USER_CLASS_KEYS.has(want)) parts.push(entries.lists.user);
  if (GROUP_CLASS_KEYS.has(want)) parts.push(entries.lists.group);
  const others = [entries.suffix, entries.usersContainer, entries.groupsContainer, entries.systemContainer, ...entries.lists.system];
  parts.push(others.filter((e) => (e.attributes.get('objectclass') ?? []).some((c) => oidKey(c) === want)));
  return hit(...parts);
}

/** The member entries of a group. */
function membersOf(state: DirectoryState, group: ViewEntry): readonly ViewEntry[] {
  const [users, admins] = state.builtins;
  if (group.id === users.id) return state.entries.lists.user;
  const ids = group.id === admins.id ? adminIds(state) : (state.records.groupUsers.get(group.id) ?? []);
  const out: ViewEntry[] = [];
  for (const id of ids) {
    const entry = state.entries.byId.user.get(id);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

function adminIds(state: DirectoryState): string[] {
  const admins = state.builtins[1];
  const ids: string[] = [];
  for (const [id, user] of state.records.users) if (admins.includes(user)) ids.push(id);
  return ids;
}

/** The group entries a user is in, built-in groups included. */
function groupsOf(state: DirectoryState, user: ViewEntry): readonly ViewEntry[] {
  const { byId } = state.entries;
  const record = state.records.users.get(user.id);
  const out: ViewEntry[] = [];
  for (const b of state.builtins) {
    const entry = byId.group.get(b.id);
    if (entry !== undefined && record !== undefined && b.includes(record)) out.push(entry);
  }
  for (const id of state.records.userGroups.get(user.id) ?? []) {
    const entry = byId.group.get(id);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}
