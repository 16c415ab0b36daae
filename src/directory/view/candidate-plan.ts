import type { Filter } from '../../domain/filter.js';
import { attributeKey } from '../../domain/attribute-schema.js';
import { IN_CHAIN_RULE } from '../../domain/filter-extensible.js';
import { oidKey, uuidKey } from '../../domain/matching-rules.js';
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
    case 'extensible':
      return inChainHit(filter, state, resolve);
    default:
      return undefined;
  }
}

/**
 * AD's in-chain rule on memberOf/member/uniqueMember: groups hold only users, so the transitive
 * closure is the direct membership and the membership indexes answer it (dn-resolver.ts inChain).
 */
function inChainHit(filter: Extract<Filter, { type: 'extensible' }>, state: DirectoryState, resolve: Resolve): Hit | undefined {
  if (filter.matchingRule?.trim() !== IN_CHAIN_RULE || filter.attribute === undefined || filter.dnAttributes) return undefined;
  const key = attributeKey(filter.attribute);
  if (key !== 'memberof' && key !== 'member' && key !== 'uniquemember') return undefined;
  return equalityHit(key, filter.value, state, resolve);
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
  if (key === 'entryuuid') return entryUuidHit(value, state);
  const indexName = INDEX_ALIAS.get(key) ?? key;
  const index = state.entries.indexes.get(indexName);
  const k = INDEXED.get(indexName)?.(value);
  if (index === undefined || k === undefined) return undefined;
  const { byId, lists } = state.entries;
  // User entries are not in these two indexes (index-values.ts): add them from the id or list.
  if (key === 'cn' && typeof k === 'string' && k.startsWith('uid-')) {
    const user = byId.user.get(k.slice(4));
    return hit(index.get(k), user === undefined ? [] : [user]);
  }
  if (key === 'gidnumber' && k === state.builtins[0].gidNumber) return hit(index.get(k), lists.user);
  // Derived team groups' memberUid is not indexed either (index-values.ts): a few hundred entries.
  if (key === 'memberuid') return hit(index.get(k), builtinsOfUid(value, state), lists.team);
  return hit(index.get(k));
}

/** entryUUID is the id users and groups are kept by; the few other entries are checked directly. */
function entryUuidHit(value: string, state: DirectoryState): Hit | undefined {
  const k = uuidKey(value);
  if (k === undefined) return undefined;
  const { byId, lists } = state.entries;
  const found = [byId.user.get(k), byId.group.get(k), byId.team.get(k)].filter((e): e is ViewEntry => e !== undefined);
  const others = smallEntries(state).filter((e) => e.attributes.get('entryuuid')?.[0] === k);
  return hit(found, others);
}

/** The built-in groups listing a username (their memberUid is not indexed, index-values.ts). */
function builtinsOfUid(value: string, state: DirectoryState): ViewEntry[] {
  const k = INDEXED.get('uid')?.(value);
  const users = k === undefined ? [] : (state.entries.indexes.get('uid')?.get(k) ?? []);
  const out: ViewEntry[] = [];
  for (const b of state.builtins) {
    const group = state.entries.byId.group.get(b.id);
    if (group !== undefined && users.some((u) => u.user !== undefined && b.includes(u.user))) out.push(group);
  }
  return out;
}

/** The suffix, the containers and the service accounts: a handful, checked one by one. */
function smallEntries(state: DirectoryState): ViewEntry[] {
  const e = state.entries;
  return [e.suffix, e.usersContainer, e.groupsContainer, e.systemContainer, ...e.lists.system, e.teamsContainer];
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
  // ou=teams holds teams and derived groups (issue 13): a few hundred entries, re-checked anyway.
  parts.push(entries.lists.team);
  parts.push(smallEntries(state).filter((e) => (e.attributes.get('objectclass') ?? []).some((c) => oidKey(c) === want)));
  return hit(...parts);
}

/** The member entries of a group. */
function membersOf(state: DirectoryState, group: ViewEntry): readonly ViewEntry[] {
  const [users, admins] = state.builtins;
  const { lists, byId } = state.entries;
  if (group.id === users.id) return lists.user;
  if (group.id === admins.id) return lists.user.filter((e) => e.user !== undefined && admins.includes(e.user));
  const derived = state.teams.memberEntries(state.entries, group);
  if (derived !== undefined) return derived;
  const out: ViewEntry[] = [];
  for (const id of state.records.groupUsers.get(group.id) ?? []) {
    const entry = byId.user.get(id);
    if (entry !== undefined) out.push(entry);
  }
  return out;
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
  out.push(...state.teams.groupsOf(state.entries, user.id));
  return out;
}
