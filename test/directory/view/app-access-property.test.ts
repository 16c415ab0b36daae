import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppAccess, Application } from '../../../src/domain/application.js';
import { effectiveLevel } from '../../../src/domain/effective-level.js';
import { LEVELS, atLeast } from '../../../src/domain/levels.js';
import type { Group, User } from '../../../src/domain/model.js';
import { ROLES } from '../../../src/domain/model.js';
import { isAtLeast } from '../../../src/domain/roles.js';
import type { Grant, Principal, Team } from '../../../src/domain/team.js';
import { isListed } from '../../../src/domain/user-listing.js';
import { parseFilter } from '../../../src/domain/filter-parse.js';
import type { Snapshot } from '../../../src/store/store.js';
import { resolveAppBindTarget } from '../../../src/directory/view/app-bind-target.js';
import { searchWithApps } from '../../../src/directory/view/app-search.js';
import { DirectoryState, type RecordBatch } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';
import { resolveEntry } from '../../../src/directory/view/dn-resolver.js';
import { SearchScope } from '../../../src/directory/view/view-search.js';
import type { Visibility } from '../../../src/directory/access-policy.js';

/**
 * Issue 16's property: for random users (roles, active), groups, teams, grants and application
 * rules, every application's view — its ou=users, its groups' members, the app bound as itself
 * searching the global tree, and user binds through it — holds exactly the users a pure reading
 * of the rule admits (admins and owners always; everyone; a listed group; at least the level on a
 * listed team, by the pure effective level), both for a state loaded from the snapshot and for
 * one that followed a change batch from another world to it. So no answer can be stale.
 */
const S = 'dc=example,dc=com';
const dit = createDit({ suffix: S });
const id = (prefix: string, i: number): string => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const T0 = new Date(Date.UTC(2025, 0, 1));
const NUSERS = 6;
const NGROUPS = 3;
const NTEAMS = 2;
const NAPPS = 3;
const userId = (i: number): string => id('00000000', i);
const groupId = (i: number): string => id('11111111', i);
const teamId = (i: number): string => id('33333333', i);
const appId = (i: number): string => id('55555555', i);

const arbPrincipal = fc.oneof(
  fc.nat(NUSERS - 1).map((i): Principal => ({ type: 'user', id: userId(i) })),
  fc.nat(NGROUPS - 1).map((i): Principal => ({ type: 'group', id: groupId(i) })),
  fc.constant<Principal>({ type: 'everyone' }),
);
const arbAccess: fc.Arbitrary<AppAccess> = fc.oneof(
  fc.constant<AppAccess>({ everyone: true, groups: [], teams: [] }),
  fc.record({
    everyone: fc.constant(false),
    groups: fc.uniqueArray(fc.nat(NGROUPS - 1), { maxLength: 2 }).map((gs) => gs.map(groupId)),
    // Team indexes up to NTEAMS: the last names a team that never exists (a deleted one).
    teams: fc.array(fc.record({ team: fc.nat(NTEAMS).map(teamId), level: fc.constantFrom(...LEVELS) }), { maxLength: 2 }),
  }),
);
const arbWorld = fc.record({
  users: fc.array(fc.record({ active: fc.boolean(), role: fc.constantFrom(...ROLES), named: fc.boolean() }), { minLength: NUSERS, maxLength: NUSERS }),
  memberships: fc.array(fc.tuple(fc.nat(NUSERS - 1), fc.nat(NGROUPS - 1)), { maxLength: 12 }),
  teams: fc.array(fc.boolean(), { minLength: NTEAMS, maxLength: NTEAMS }),
  grants: fc.array(fc.record({ team: fc.option(fc.nat(NTEAMS - 1), { nil: null }), principal: arbPrincipal, level: fc.constantFrom(...LEVELS) }), { maxLength: 8 }),
  apps: fc.array(fc.option(arbAccess, { nil: undefined, freq: 4 }), { minLength: NAPPS, maxLength: NAPPS }),
});
type World = typeof arbWorld extends fc.Arbitrary<infer W> ? W : never;

function snapshot(w: World, revision: number): Snapshot {
  const users: User[] = w.users.map((u, i) => ({
    id: userId(i), username: u.named || i === 0 ? `u${i}` : null, email: `u${i}@example.com`, fallbackEmail: null, displayName: '', role: u.role,
    active: u.active, source: 'local', sourceId: null, sourceDn: null, passwordHash: 'h', uidNumber: 10000 + i, totpEnabled: false,
    createdAt: T0, updatedAt: T0, passwordChangedAt: null,
  }));
  const groups: Group[] = Array.from({ length: NGROUPS }, (_, i) => ({
    id: groupId(i), name: `g${i}`, description: '', gidNumber: 10000 + i, source: 'local', sourceId: null, createdAt: T0, updatedAt: T0,
  }));
  const teams: Team[] = [];
  w.teams.forEach((present, i) => {
    if (present) teams.push({ id: teamId(i), name: `t${i}`, description: '', createdAt: new Date(T0.getTime() + i), updatedAt: T0 });
  });
  const byKey = new Map<string, Grant>();
  w.grants.forEach((g, i) => {
    const scope = g.team === null ? null : teamId(g.team);
    if (scope !== null && !teams.some((t) => t.id === scope)) return;
    const key = `${scope}:${g.principal.type}:${g.principal.type === 'everyone' ? '' : g.principal.id}`;
    byKey.set(key, { id: byKey.get(key)?.id ?? id('44444444', i), teamId: scope, principal: g.principal, level: g.level, createdAt: T0, updatedAt: T0 });
  });
  const pairs = new Set(w.memberships.map(([u, g]) => `${groupId(g)}:${userId(u)}`));
  const memberships = [...pairs].map((k) => ({ groupId: k.slice(0, 36), userId: k.slice(37) }));
  const apps: Application[] = [];
  w.apps.forEach((access, i) => {
    if (access !== undefined) apps.push({ id: appId(i), name: `app${i}`, description: `App ${i}`, secretHash: '!', allowedCidrs: [], access, createdAt: T0, updatedAt: T0 });
  });
  return { revision, users, groups, memberships, serviceAccounts: [], teams, grants: [...byKey.values()], apps };
}

/** The pure reading of the rule: who (by username) may use `app`, among the listed users. */
function expectedUsers(snap: Snapshot, app: Application): string[] {
  const out: string[] = [];
  for (const user of snap.users) {
    if (!isListed(user)) continue;
    const groupIds = new Set(snap.memberships.filter((m) => m.userId === user.id).map((m) => m.groupId));
    const who = { userId: user.id, listed: true, groupIds };
    const admitted =
      isAtLeast(user.role, 'admin') ||
      app.access.everyone ||
      app.access.groups.some((g) => groupIds.has(g)) ||
      app.access.teams.some((r) => snap.teams.some((t) => t.id === r.team) && atLeast(effectiveLevel(snap.grants, r.team, who).level, r.level));
    if (admitted) out.push(user.username as string);
  }
  return out.sort();
}

function search(state: DirectoryState, base: string, filter: string, visibility?: Visibility, scope: SearchScope = SearchScope.sub) {
  const ctx = { resolveDn: (v: string) => resolveEntry(state, v)?.normDn };
  return searchWithApps(state, ctx, base, scope, parseFilter(filter), visibility === undefined ? {} : { visibility });
}

function uids(state: DirectoryState, base: string, visibility?: Visibility): string[] {
  const outcome = search(state, base, '(objectClass=inetOrgPerson)', visibility);
  expect(outcome.found, base).toBe(true);
  return outcome.found ? [...outcome.cursor].map((e) => e.first('uid') ?? '').sort() : [];
}

function check(state: DirectoryState, snap: Snapshot): void {
  const apps = snap.apps ?? [];
  for (const app of apps) {
    const view = `ou=${app.name},ou=apps,${S}`;
    const want = expectedUsers(snap, app);
    expect(uids(state, `ou=users,${view}`), `${app.name} users`).toEqual(want);
    expect(uids(state, S, { kind: 'app', appId: app.id }), `${app.name} bound, global`).toEqual(want);
    for (let g = 0; g < NGROUPS; g++) {
      const outcome = search(state, `cn=g${g},ou=groups,${view}`, '(objectClass=*)', undefined, SearchScope.base);
      const members = outcome.found ? (outcome.cursor.next()?.attributes.get('memberuid') ?? []) : ['(missing)'];
      const inGroup = snap.memberships.filter((m) => m.groupId === groupId(g)).map((m) => snap.users.find((u) => u.id === m.userId)?.username);
      expect([...members].sort(), `${app.name} g${g}`).toEqual(want.filter((u) => inGroup.includes(u)));
    }
    for (const user of snap.users) {
      if (user.username === null) continue;
      const target = resolveAppBindTarget(state, `uid=${user.username},ou=users,${view}`);
      const allowed = target?.kind === 'user' && target.allowed && isListed(user);
      expect(allowed, `${user.username} binds through ${app.name}`).toBe(want.includes(user.username));
    }
  }
  // ou=apps one level, as the directory admin: each app's entry and view root, in name order.
  const tree = search(state, `ou=apps,${S}`, '(objectClass=*)', { kind: 'all' }, SearchScope.one);
  const names = [...apps].map((a) => a.name).sort();
  expect(tree.found && [...tree.cursor].map((e) => e.dn)).toEqual(names.flatMap((n) => [`cn=${n},ou=apps,${S}`, `ou=${n},ou=apps,${S}`]));
}

/** Everything an app's view sends (DNs, memberOf, members), as seen through `state`. */
function viewImage(state: DirectoryState, snap: Snapshot): string[] {
  return (snap.apps ?? []).flatMap((app) => {
    const outcome = search(state, `ou=${app.name},ou=apps,${S}`, '(objectClass=*)');
    if (!outcome.found) return [`${app.name}: (missing)`];
    return [...outcome.cursor].map((e) => `${e.dn} ${['memberof', 'member', 'memberuid'].map((k) => [...(e.attributes.get(k) ?? [])].sort().join('|')).join(' ')}`);
  });
}

/** The batch the change feed would deliver between two snapshots (everything re-read). */
function batchBetween(a: Snapshot, b: Snapshot): RecordBatch {
  const byId = <T extends { id: string }>(xs: readonly T[]) => new Map(xs.map((x) => [x.id, x]));
  const all = <T extends { id: string }>(xa: readonly T[], xb: readonly T[]): Map<string, T | undefined> => {
    const [ma, mb] = [byId(xa), byId(xb)];
    return new Map([...ma.keys(), ...mb.keys()].map((k) => [k, mb.get(k)]));
  };
  return {
    revision: b.revision,
    // Only what changed, as the feed delivers it: a level moved for everyone reaches users the
    // batch does not name.
    users: new Map(b.users.filter((u) => JSON.stringify(u) !== JSON.stringify(a.users.find((x) => x.id === u.id))).map((u) => [u.id, u])),
    groups: new Map(),
    userGroups: new Map(b.users.flatMap((u) => {
      const of = (s: Snapshot): string[] => s.memberships.filter((m) => m.userId === u.id).map((m) => m.groupId).sort();
      return of(a).join() === of(b).join() ? [] : [[u.id, of(b)] as const];
    })),
    accounts: new Map(),
    // Only the applications that changed, as the change feed re-reads them: the others keep their
    // records, so their precomputed access must follow the other changes by itself.
    apps: new Map([...all(a.apps ?? [], b.apps ?? [])].filter(([k, app]) => JSON.stringify(app) !== JSON.stringify(a.apps?.find((x) => x.id === k)))),
    teams: all(a.teams, b.teams),
    grants: all(a.grants, b.grants),
    changedAt: { users: new Map(), groups: new Map() },
  };
}

describe('application views: properties (issue 16)', () => {
  it('every view holds exactly the users the rule admits, loaded or followed through changes', () => {
    fc.assert(
      fc.property(arbWorld, arbWorld, arbWorld, fc.boolean(), fc.boolean(), (w1, w2, w3, keep2, keep3) => {
        // Often the rules stay as they are while everything else moves.
        const w2k = keep2 ? { ...w2, apps: w1.apps } : w2;
        const w3k = keep3 ? { ...w3, apps: w2k.apps } : w3;
        const [a, b, c] = [snapshot(w1, 1), snapshot(w2k, 2), snapshot(w3k, 3)];
        const loaded = DirectoryState.load(dit, b);
        check(loaded, b);
        const followed = DirectoryState.load(dit, a);
        check(followed, a);
        followed.apply(batchBetween(a, b));
        check(followed, b);
        followed.apply(batchBetween(b, c));
        check(followed, c);
        // Re-based entries as a freshly loaded state makes them: nothing the views keep is stale.
        expect(viewImage(followed, c)).toEqual(viewImage(DirectoryState.load(dit, c), c));
      }),
      { numRuns: 120 },
    );
  });
});
