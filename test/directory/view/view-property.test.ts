import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MatchContext } from '../../../src/domain/entry.js';
import type { Filter } from '../../../src/domain/filter.js';
import { ROLES, type Group, type ServiceAccount, type User } from '../../../src/domain/model.js';
import type { Snapshot } from '../../../src/store/store.js';
import { isVisible, type Visibility } from '../../../src/directory/access-policy.js';
import { DirectoryState, type RecordBatch } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';
import { inChain, resolveEntry } from '../../../src/directory/view/dn-resolver.js';
import { compileFilter } from '../../../src/domain/filter-match.js';
import { searchState, type SearchScope } from '../../../src/directory/view/view-search.js';
import { compareEntries, type ViewEntry } from '../../../src/directory/view/view-entry.js';
import { memberValuesChanged } from '../../../src/domain/user-listing.js';

/**
 * Properties of the view over random directories: every index path returns exactly what a full
 * scan with the same evaluator returns, and applying a change batch gives the same entries as
 * loading the final snapshot from scratch.
 */
const dit = createDit({ suffix: 'dc=example,dc=com' });
const SUFFIX = 'dc=example,dc=com';
const id = (prefix: string, i: number): string => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const userId = (i: number): string => id('00000000', i);
const groupId = (i: number): string => id('11111111', i);
const accountId = (i: number): string => id('22222222', i);
const T0 = Date.UTC(2024, 0, 1);

const mostly = fc.nat(4).map((n) => n > 0);
const arbUser = fc.record({
  present: mostly,
  name: fc.option(fc.constantFrom('alice', 'bob', 'carol', 'dave.x', 'e-ve'), { nil: null }),
  display: fc.constantFrom('', 'Alice', 'Alice Liddell', 'Bob  the Builder', ' Zoë '),
  role: fc.constantFrom(...ROLES),
  active: mostly,
  fallback: fc.boolean(),
  age: fc.nat(5),
});
const arbGroup = fc.record({
  present: mostly,
  renamed: fc.boolean(),
  description: fc.constantFrom('', 'Developers'),
});
const arbDirectory = fc.record({
  users: fc.array(arbUser, { minLength: 2, maxLength: 10 }),
  groups: fc.array(arbGroup, { minLength: 1, maxLength: 5 }),
  memberships: fc.array(fc.tuple(fc.nat(9), fc.nat(4)), { maxLength: 25 }),
  accounts: fc.array(fc.boolean(), { maxLength: 2 }),
  revision: fc.nat(1000),
});
type Directory = typeof arbDirectory extends fc.Arbitrary<infer T> ? T : never;

function toSnapshot(d: Directory): Snapshot {
  const users: User[] = [];
  d.users.forEach((u, i) => {
    if (!u.present) return;
    const t = new Date(T0 + (i + u.age) * 1000);
    users.push({
      id: userId(i),
      username: u.name === null ? null : `${u.name}${i}`,
      email: `User${i}@Example.com`,
      fallbackEmail: u.fallback ? `alt${i}@example.org` : null,
      displayName: u.display,
      role: u.role,
      active: u.active,
      source: 'local',
      sourceId: null,
      sourceDn: null,
      passwordHash: `hash${i}`,
      uidNumber: 10000 + i,
      totpEnabled: false,
      createdAt: new Date(T0 + i * 1000),
      updatedAt: t,
      passwordChangedAt: u.age > 2 ? t : null,
    });
  });
  const groups: Group[] = [];
  d.groups.forEach((g, j) => {
    if (!g.present) return;
    const t = new Date(T0 + j * 7000);
    groups.push({ id: groupId(j), name: g.renamed ? `team${j}` : `g${j}`, description: g.description, gidNumber: 10000 + j, source: 'local', sourceId: null, createdAt: t, updatedAt: t });
  });
  const userIds = new Set(users.map((u) => u.id));
  const groupIds = new Set(groups.map((g) => g.id));
  const pairs = new Set(d.memberships.map(([u, g]) => `${groupId(g)}:${userId(u)}`));
  const memberships = [...pairs]
    .map((key) => ({ groupId: key.slice(0, 36), userId: key.slice(37) }))
    .filter((m) => userIds.has(m.userId) && groupIds.has(m.groupId));
  const serviceAccounts: ServiceAccount[] = [];
  d.accounts.forEach((present, k) => {
    if (present) serviceAccounts.push({ id: accountId(k), name: `app${k}`, secretHash: 's', allowedCidrs: [], privileged: false, createdAt: new Date(T0 + k) });
  });
  return { revision: d.revision, users, groups, memberships, serviceAccounts, teams: [], grants: [] };
}

/** Values worth asserting on: the directory's own values in other spellings, plus junk. */
function valuePool(s: Snapshot): string[] {
  const pool = ['zzz', '9000', '9001', '010000', 'top', 'INETORGPERSON', 'groupOfNames', 'organizationalUnit', 'person', '2.5.6.6', ''];
  for (const u of s.users) {
    if (u.username) pool.push(u.username, u.username.toUpperCase(), ` ${u.username} `, `uid=${u.username},ou=users,${SUFFIX}`, `UID=${u.username.toUpperCase()}, OU=Users, DC=Example, DC=Com`);
    pool.push(u.email, u.id.toUpperCase(), `uid-${u.id}`, String(u.uidNumber), `cn=uid-${u.id},ou=users,${SUFFIX}`, `mail=${u.email},ou=users,${SUFFIX}`, u.displayName);
  }
  for (const g of s.groups) pool.push(g.name, g.name.toUpperCase(), String(g.gidNumber), `cn=${g.name},ou=groups,${SUFFIX}`, `CN=${g.name} , ou=GROUPS,dc=example,dc=com`);
  pool.push(`cn=users,ou=groups,${SUFFIX}`, `cn=admins,ou=groups,${SUFFIX}`, `ou=users,${SUFFIX}`, 'cn=nobody,ou=groups,dc=example,dc=com');
  return pool;
}

const ATTRIBUTES = ['uid', 'UID', 'userid', 'username', 'sAMAccountName', 'mail', 'cn', 'commonName', 'entryUUID', 'uidNumber', 'gidNumber', 'objectClass', 'memberUid', 'memberOf', 'member', 'uniqueMember', 'entryDN', 'displayName', 'sn', 'description', 'nsAccountLock'];

/** Other spellings of a value that its attribute's equality rule must still match. */
function variants(key: string, value: string): string[] {
  const out = [value, value.toUpperCase(), ` ${value} `];
  if (key === 'uidnumber' || key === 'gidnumber') out.push(`0${value}`);
  if (['member', 'uniquemember', 'memberof', 'entrydn'].includes(key)) out.push(value.replace(/,/g, ' , ').toUpperCase());
  return out;
}

/** (attribute, value) pairs taken from the entries themselves, so that equality often hits. */
function pairPool(s: Snapshot): [string, string][] {
  const state = DirectoryState.load(dit, s);
  const pairs: [string, string][] = [];
  for (const e of state.entries.byNorm.values()) {
    for (const [key, values] of e.attributes) {
      for (const v of values.slice(0, 3)) for (const w of variants(key, v)) pairs.push([key === 'uid' ? 'userid' : key.toUpperCase(), w]);
    }
  }
  for (const u of s.users) if (u.username) pairs.push(['member', `uid=${u.username},ou=users,${SUFFIX}`], ['uniqueMember', `mail=${u.email.toUpperCase()}, ou=users,${SUFFIX}`]);
  return pairs;
}

function arbFilter(values: string[], pairs: [string, string][]): fc.Arbitrary<Filter> {
  const value = fc.constantFrom(...values);
  const attribute = fc.constantFrom(...ATTRIBUTES);
  const pair = fc.constantFrom(...pairs);
  const leaf: fc.Arbitrary<Filter> = fc.oneof(
    { weight: 8, arbitrary: pair.map(([attribute, value]): Filter => ({ type: 'equality', attribute, value })) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('equality' as const), attribute, value }) },
    fc.record({ type: fc.constant('approx' as const), attribute, value }),
    fc.record({ type: fc.constant('present' as const), attribute }),
    pair.map(([attribute, value]): Filter => ({ type: 'substrings', attribute, initial: value.slice(0, 2), any: [] })),
    fc.record({ type: fc.constantFrom('greaterOrEqual' as const, 'lessOrEqual' as const), attribute: fc.constant('uidNumber'), value: fc.constantFrom('10002', '10005', '9000') }),
    fc.record({ type: fc.constant('extensible' as const), matchingRule: fc.constant('1.2.840.113556.1.4.1941'), attribute: fc.constantFrom('memberOf', 'member'), value, dnAttributes: fc.constant(false) }),
  );
  const { filter } = fc.letrec<{ filter: Filter }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ type: fc.constant('and' as const), filters: fc.array(tie('filter'), { maxLength: 3 }) }),
      fc.record({ type: fc.constant('or' as const), filters: fc.array(tie('filter'), { maxLength: 3 }) }),
      fc.record({ type: fc.constant('not' as const), filter: tie('filter') }),
    ),
  }));
  return filter;
}

function bases(s: Snapshot): string[] {
  const out = [SUFFIX, 'DC=Example, DC=Com', `ou=users,${SUFFIX}`, `ou=groups,${SUFFIX}`, `ou=system,${SUFFIX}`, `cn=admin,ou=system,${SUFFIX}`, `cn=users,ou=groups,${SUFFIX}`, `cn=nope,ou=users,${SUFFIX}`, 'dc=com', `cn=x,cn=admin,ou=system,${SUFFIX}`];
  for (const u of s.users.slice(0, 3)) out.push(`cn=uid-${u.id},ou=users,${SUFFIX}`, `uid=${u.username ?? 'none'},ou=users,${SUFFIX}`);
  for (const g of s.groups.slice(0, 2)) out.push(`cn=${g.name},ou=groups,${SUFFIX}`);
  return out;
}

function contextOf(state: DirectoryState): MatchContext {
  return { resolveDn: (v) => resolveEntry(state, v)?.normDn, inChain: (e, a, t) => inChain(state, e, a, t) };
}

/** The reference: every entry, scope decided on DN strings, the same evaluator, global order. */
function bruteForce(state: DirectoryState, base: string, scope: SearchScope, filter: Filter, visibility: Visibility): string[] | 'noSuchObject' {
  const visible = (e: ViewEntry): boolean => isVisible(visibility, e.kind, e.normDn);
  const b = resolveEntry(state, base);
  if (b === undefined || !visible(b)) return 'noSuchObject';
  const match = compileFilter(filter, contextOf(state));
  const parentOf = (e: ViewEntry): string => e.normDn.slice(e.normDn.indexOf(',') + 1);
  const inScope = (e: ViewEntry): boolean =>
    scope === 0 ? e === b : scope === 1 ? e !== b && parentOf(e) === b.normDn : e === b || e.normDn.endsWith(`,${b.normDn}`);
  return [...state.entries.byNorm.values()].filter((e) => inScope(e) && visible(e) && match(e)).sort(compareEntries).map((e) => e.dn);
}

function viaView(state: DirectoryState, base: string, scope: SearchScope, filter: Filter, visibility: Visibility): string[] | 'noSuchObject' {
  const out = searchState(state, contextOf(state), base, scope, filter, { visibility });
  return out.found ? [...out.cursor].map((e) => e.dn) : 'noSuchObject';
}

function arbQuery(s: Snapshot) {
  const selfDns = s.users.map((u) => `cn=uid-${u.id},ou=users,${SUFFIX}`);
  const visibility: fc.Arbitrary<Visibility> = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Visibility>({ kind: 'all' }) },
    selfDns.length === 0 ? fc.constant<Visibility>({ kind: 'all' }) : fc.constantFrom(...selfDns).map((dn): Visibility => ({ kind: 'self', normDn: dn })),
  );
  return fc.record({ base: fc.oneof(fc.constantFrom(SUFFIX, `ou=users,${SUFFIX}`, `ou=groups,${SUFFIX}`), fc.constantFrom(...bases(s))), scope: fc.constantFrom<SearchScope>(0, 1, 2), filter: arbFilter(valuePool(s), pairPool(s)), visibility });
}

const arbCase = arbDirectory.chain((d) => {
  const snapshot = toSnapshot(d);
  return fc.record({ snapshot: fc.constant(snapshot), queries: fc.array(arbQuery(snapshot), { minLength: 5, maxLength: 20 }) });
});

/** When the writes between two snapshots committed: later than every time toSnapshot makes. */
const T_WRITE = new Date(T0 + 1_000_000);

/**
 * The writes that turn `a` into `b` as the store makes them (touch-rows.ts): every changed row,
 * both sides of a changed membership, the groups of a user whose listing or uid changed and the
 * members of a renamed group get updated_at = the write's time. `batch` is what the view then
 * reads (read-batch.ts): changed rows re-read, memberships as member lists, touched rows only
 * as change times.
 */
function storeStep(a: Snapshot, b: Snapshot): { after: Snapshot; batch: RecordBatch } {
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  const changed = <T extends { id: string }>(xs: readonly T[], ys: readonly T[]): Set<string> => {
    const before = new Map(xs.map((x) => [x.id, x]));
    const after = new Map(ys.map((y) => [y.id, y]));
    return new Set([...before.keys(), ...after.keys()].filter((k) => !same(before.get(k), after.get(k))));
  };
  const [users, groups] = [changed(a.users, b.users), changed(a.groups, b.groups)];
  const pairs = (s: Snapshot): Set<string> => new Set(s.memberships.map((m) => `${m.groupId}:${m.userId}`));
  const [pa, pb] = [pairs(a), pairs(b)];
  const moved = [...pa, ...pb].filter((p) => pa.has(p) !== pb.has(p));
  const memberUsers = new Set(moved.map((p) => p.slice(37)));
  const touchedGroups = new Set(moved.map((p) => p.slice(0, 36)));
  const aUsers = new Map(a.users.map((u) => [u.id, u]));
  const aGroups = new Map(a.groups.map((g) => [g.id, g]));
  const bUsers = new Map(b.users.map((u) => [u.id, u]));
  const bGroups = new Map(b.groups.map((g) => [g.id, g]));
  for (const m of b.memberships) {
    if (users.has(m.userId) && memberValuesChanged(aUsers.get(m.userId), bUsers.get(m.userId))) touchedGroups.add(m.groupId);
  }
  const renamed = (g: string): boolean => aGroups.get(g) !== undefined && aGroups.get(g)?.name !== bGroups.get(g)?.name;
  const bumpedUsers = new Set([...users, ...memberUsers, ...b.memberships.filter((m) => renamed(m.groupId)).map((m) => m.userId)]);
  const bumpedGroups = new Set([...groups, ...touchedGroups]);
  const after: Snapshot = {
    ...b,
    users: b.users.map((u) => (bumpedUsers.has(u.id) ? { ...u, updatedAt: T_WRITE } : u)),
    groups: b.groups.map((g) => (bumpedGroups.has(g.id) ? { ...g, updatedAt: T_WRITE } : g)),
  };
  const reread = <T extends { id: string }>(ids: Set<string>, rows: readonly T[]): Map<string, T | undefined> => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    return new Map([...ids].map((k) => [k, byId.get(k)]));
  };
  const membersOf = (g: string): string[] => b.memberships.filter((m) => m.groupId === g).map((m) => m.userId);
  const groupsOf = (u: string): string[] => b.memberships.filter((m) => m.userId === u).map((m) => m.groupId);
  const at = (ids: Iterable<string>): Map<string, Date> => new Map([...ids].map((k) => [k, T_WRITE]));
  const accounts = changed(a.serviceAccounts, b.serviceAccounts);
  return {
    after,
    batch: {
      revision: b.revision,
      users: reread(users, after.users),
      groups: new Map([...reread(groups, after.groups)].map(([k, g]) => [k, g && { group: g, memberIds: membersOf(k) }])),
      userGroups: new Map([...memberUsers].map((u) => [u, groupsOf(u)])),
      accounts: reread(accounts, b.serviceAccounts),
      changedAt: { users: at([...users, ...memberUsers]), groups: at([...groups, ...touchedGroups]) },
    },
  };
}

/** Everything the state serves; `builtinTimes: false` leaves out the built-ins' modifyTimestamp. */
function dump(state: DirectoryState, builtinTimes = true): unknown {
  const lists = state.entries.lists;
  const builtins = new Set(state.builtins.map((b) => b.id));
  const attributes = (e: ViewEntry): unknown[] =>
    [...e.attributes].filter(([key]) => builtinTimes || !builtins.has(e.id) || key !== 'modifytimestamp');
  return {
    entries: [...state.entries.byNorm.values()].sort(compareEntries).map((e) => [e.dn, e.normDn, e.kind, e.sortKey, attributes(e)]),
    order: [lists.user, lists.group, lists.system].map((l) => l.map((e) => e.dn)),
  };
}

/** The built-in `users` group's modifyTimestamp ('' when it has none); `admins` has the same. */
function builtinTime(state: DirectoryState): string {
  const [users, admins] = state.builtins.map((b) => state.entries.byId.group.get(b.id)?.attributes.get('modifytimestamp')?.[0] ?? '');
  expect(admins).toBe(users);
  return users ?? '';
}

describe('directory view properties', () => {
  it('every index path returns exactly what a full scan returns', () => {
    fc.assert(
      fc.property(arbCase, ({ snapshot, queries }) => {
        const state = DirectoryState.load(dit, snapshot);
        for (const q of queries) {
          expect(viaView(state, q.base, q.scope, q.filter, q.visibility)).toEqual(bruteForce(state, q.base, q.scope, q.filter, q.visibility));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('applying the changes between two snapshots equals loading the second', () => {
    // The second directory is the first with a few records swapped for other random ones, as
    // after a handful of writes: most entries must then be rebuilt for the right reasons only.
    const arb = fc.tuple(arbDirectory, arbDirectory, fc.array(fc.nat(3), { minLength: 60, maxLength: 60 })).chain(([a, other, dice]) => {
      const roll = (i: number): boolean => dice[i % dice.length] === 0;
      const b: Directory = {
        users: a.users.map((u, i) => (roll(i) ? (other.users[i] ?? { ...u, present: false }) : u)),
        groups: a.groups.map((g, j) => (roll(20 + j) ? (other.groups[j] ?? { ...g, renamed: !g.renamed }) : g)),
        memberships: [...a.memberships.filter((_, k) => !roll(30 + k)), ...other.memberships.slice(0, dice[59] ?? 0)],
        accounts: a.accounts.map((p, k) => (roll(40 + k) ? !p : p)),
        revision: a.revision + 1,
      };
      const sb = toSnapshot(b);
      return fc.record({ a: fc.constant(toSnapshot(a)), b: fc.constant(sb), queries: fc.array(arbQuery(sb), { maxLength: 10 }) });
    });
    fc.assert(
      fc.property(arb, ({ a, b, queries }) => {
        const state = DirectoryState.load(dit, a);
        const loaded = builtinTime(state);
        const { after, batch } = storeStep(a, b);
        state.apply(batch);
        const fresh = DirectoryState.load(dit, after);
        expect(dump(state, false)).toEqual(dump(fresh, false));
        // The built-ins' modifyTimestamp never goes back; only a deleted user's time is not in the rows.
        const [applied, reloaded] = [builtinTime(state), builtinTime(fresh)];
        expect(applied >= loaded && applied >= reloaded).toBe(true);
        const deleted = a.users.some((u) => !after.users.some((v) => v.id === u.id));
        if (!deleted) expect(applied).toBe(reloaded);
        const oracle = deleted ? state : fresh; // (modifyTimestamp>=...) may then see the difference
        for (const q of queries) {
          expect(viaView(state, q.base, q.scope, q.filter, q.visibility)).toEqual(bruteForce(oracle, q.base, q.scope, q.filter, q.visibility));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('indexes actually serve equality searches (few entries examined)', () => {
    const users = Array.from({ length: 500 }, (_, i) => ({ present: true, name: 'user' as const, display: 'Alice Liddell' as const, role: 'user' as const, active: true, fallback: false, age: 0 }));
    const d: Directory = { users: users.map((u) => ({ ...u, name: 'alice' })), groups: [{ present: true, renamed: false, description: '' }], memberships: [[3, 0]], accounts: [], revision: 1 };
    const state = DirectoryState.load(dit, toSnapshot(d));
    const ctx = contextOf(state);
    const run = (filter: Filter): { dns: string[]; examined: number } => {
      const out = searchState(state, ctx, SUFFIX, 2, filter);
      if (!out.found) throw new Error('suffix missing');
      const dns = [...out.cursor].map((e) => e.dn);
      return { dns, examined: out.cursor.examined };
    };
    expect(run({ type: 'equality', attribute: 'uid', value: 'ALICE7' })).toEqual({ dns: [`cn=uid-${userId(7)},ou=users,${SUFFIX}`], examined: 1 });
    expect(run({ type: 'equality', attribute: 'memberOf', value: `cn=g0,ou=groups,${SUFFIX}` })).toEqual({ dns: [`cn=uid-${userId(3)},ou=users,${SUFFIX}`], examined: 1 });
    expect(run({ type: 'equality', attribute: 'member', value: `uid=alice3,ou=users,${SUFFIX}` }).dns).toEqual([`cn=users,ou=groups,${SUFFIX}`, `cn=g0,ou=groups,${SUFFIX}`]);
    const groups = run({ type: 'equality', attribute: 'objectClass', value: 'posixGroup' });
    expect(groups.dns).toHaveLength(3);
    expect(groups.examined).toBe(3);
    // No index for substrings: the scope is scanned, and the answer is still exact.
    const scan = run({ type: 'substrings', attribute: 'uid', initial: 'alice49', any: [] });
    expect(scan.dns).toHaveLength(11);
    expect(scan.examined).toBe(state.entries.size);
  });
});
