import fc from 'fast-check';
import type { AppAccess, Application } from '../../src/domain/application.js';
import { LEVELS, type Level } from '../../src/domain/levels.js';
import { ROLES, type Group, type Role, type User } from '../../src/domain/model.js';
import type { Grant, Principal, Team } from '../../src/domain/team.js';
import type { RecordBatch } from '../../src/directory/view/directory-state.js';
import type { Snapshot } from '../../src/store/store.js';

/**
 * Random small directories for the view's property tests of teams (issue 13) and application
 * access (issue 16): users, groups, memberships, teams, grants and application rules, as
 * snapshots, and the change batch between two of them. One generator, so that both properties
 * draw their worlds the same way.
 */
export interface WorldSizes {
  readonly users: number;
  readonly groups: number;
  readonly teams: number;
  /** 0: no applications in the snapshots. */
  readonly apps: number;
  readonly maxGrants: number;
  /** Random roles and users without a username; otherwise every user is a named `user`. */
  readonly varyUsers: boolean;
}

export interface World {
  /** How many groups there are (all exist). */
  readonly groups: number;
  readonly users: readonly { readonly active: boolean; readonly role: Role; readonly named: boolean }[];
  readonly memberships: readonly (readonly [number, number])[];
  /** Which of the teams exist. */
  readonly teams: readonly boolean[];
  /** `team` null: an organization grant. */
  readonly grants: readonly { readonly team: number | null; readonly principal: Principal; readonly level: Level }[];
  /** Each application's rule; undefined: the application does not exist. */
  readonly apps: readonly (AppAccess | undefined)[];
}

const id = (prefix: string, i: number): string => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
export const userId = (i: number): string => id('00000000', i);
export const groupId = (i: number): string => id('11111111', i);
export const teamId = (i: number): string => id('33333333', i);
const grantId = (i: number): string => id('44444444', i);
export const appId = (i: number): string => id('55555555', i);
const T0 = new Date(Date.UTC(2025, 0, 1));

export function arbWorld(sizes: WorldSizes): fc.Arbitrary<World> {
  const principal = fc.oneof(
    fc.nat(sizes.users - 1).map((i): Principal => ({ type: 'user', id: userId(i) })),
    fc.nat(sizes.groups - 1).map((i): Principal => ({ type: 'group', id: groupId(i) })),
    fc.constant<Principal>({ type: 'everyone' }),
  );
  const access: fc.Arbitrary<AppAccess> = fc.oneof(
    fc.constant<AppAccess>({ everyone: true, groups: [], teams: [] }),
    fc.record({
      everyone: fc.constant(false),
      groups: fc.uniqueArray(fc.nat(sizes.groups - 1), { maxLength: 2 }).map((gs) => gs.map(groupId)),
      // Team indexes up to `teams`: the last names a team that never exists (a deleted one).
      teams: fc.array(fc.record({ team: fc.nat(sizes.teams).map(teamId), level: fc.constantFrom(...LEVELS) }), { maxLength: 2 }),
    }),
  );
  const user = sizes.varyUsers
    ? fc.record({ active: fc.boolean(), role: fc.constantFrom(...ROLES), named: fc.boolean() })
    : fc.boolean().map((active) => ({ active, role: 'user' as Role, named: true }));
  return fc.record({
    groups: fc.constant(sizes.groups),
    users: fc.array(user, { minLength: sizes.users, maxLength: sizes.users }),
    memberships: fc.array(fc.tuple(fc.nat(sizes.users - 1), fc.nat(sizes.groups - 1)), { maxLength: 12 }),
    teams: fc.array(fc.boolean(), { minLength: sizes.teams, maxLength: sizes.teams }),
    grants: fc.array(fc.record({ team: fc.option(fc.nat(sizes.teams - 1), { nil: null }), principal, level: fc.constantFrom(...LEVELS) }), { maxLength: sizes.maxGrants }),
    apps: fc.array(fc.option(access, { nil: undefined, freq: 4 }), { minLength: sizes.apps, maxLength: sizes.apps }),
  });
}

/** The world as the store would load it at `revision`: user `u<i>`, group `g<i>`, team `t<i>`, app `app<i>`. */
export function worldSnapshot(w: World, revision: number): Snapshot {
  const users: User[] = w.users.map((u, i) => ({
    id: userId(i), username: u.named || i === 0 ? `u${i}` : null, email: `u${i}@example.com`, fallbackEmail: null, displayName: '', role: u.role,
    active: u.active, source: 'local', sourceId: null, sourceDn: null, passwordHash: 'h', uidNumber: 10000 + i, totpEnabled: false,
    createdAt: T0, updatedAt: T0, passwordChangedAt: null,
  }));
  const groups: Group[] = Array.from({ length: w.groups }, (_, i) => ({
    id: groupId(i), name: `g${i}`, description: '', gidNumber: 10000 + i, source: 'local', sourceId: null, createdAt: T0, updatedAt: T0,
  }));
  const teams: Team[] = [];
  w.teams.forEach((present, i) => {
    if (present) teams.push({ id: teamId(i), name: `t${i}`, description: '', createdAt: new Date(T0.getTime() + i), updatedAt: T0 });
  });
  const pairs = new Set(w.memberships.map(([u, g]) => `${groupId(g)}:${userId(u)}`));
  const memberships = [...pairs].map((k) => ({ groupId: k.slice(0, 36), userId: k.slice(37) }));
  const apps: Application[] = [];
  w.apps.forEach((access, i) => {
    if (access !== undefined) apps.push({ id: appId(i), name: `app${i}`, description: `App ${i}`, secretHash: '!', allowedCidrs: [], access, createdAt: T0, updatedAt: T0 });
  });
  return { revision, users, groups, memberships, serviceAccounts: [], teams, grants: grantsOf(w, teams), apps };
}

/** One grant per principal and scope (the store's unique index): the last one wins; grants on absent teams are dropped. */
function grantsOf(w: World, teams: readonly Team[]): Grant[] {
  const byKey = new Map<string, Grant>();
  w.grants.forEach((g, i) => {
    const scope = g.team === null ? null : teamId(g.team);
    if (scope !== null && !teams.some((t) => t.id === scope)) return;
    const key = `${scope}:${g.principal.type}:${g.principal.type === 'everyone' ? '' : g.principal.id}`;
    byKey.set(key, { id: byKey.get(key)?.id ?? grantId(i), teamId: scope, principal: g.principal, level: g.level, createdAt: T0, updatedAt: T0 });
  });
  return [...byKey.values()];
}

/**
 * The batch the change feed would deliver between two snapshots. `changed`: only the users, user
 * memberships and applications that changed, as the feed delivers them (so a level moved for
 * everyone reaches users the batch does not name, and the applications not re-read must follow
 * the other changes by themselves); `everything`: every user and membership re-read. Teams and
 * grants are always re-read whole.
 */
export function batchBetween(a: Snapshot, b: Snapshot, reread: 'changed' | 'everything'): RecordBatch {
  const all = <T extends { id: string }>(xa: readonly T[], xb: readonly T[]): Map<string, T | undefined> => {
    const mb = new Map(xb.map((x) => [x.id, x]));
    return new Map([...xa.map((x) => x.id), ...mb.keys()].map((k) => [k, mb.get(k)]));
  };
  const same = (x: unknown, y: unknown): boolean => reread === 'changed' && JSON.stringify(x) === JSON.stringify(y);
  const groupsOf = (s: Snapshot, user: string): string[] => s.memberships.filter((m) => m.userId === user).map((m) => m.groupId).sort();
  return {
    revision: b.revision,
    users: new Map(b.users.filter((u) => !same(u, a.users.find((x) => x.id === u.id))).map((u) => [u.id, u])),
    groups: new Map(),
    userGroups: new Map(b.users.filter((u) => !same(groupsOf(a, u.id), groupsOf(b, u.id))).map((u) => [u.id, groupsOf(b, u.id)])),
    accounts: new Map(),
    apps: new Map([...all(a.apps ?? [], b.apps ?? [])].filter(([k, app]) => !same(app, a.apps?.find((x) => x.id === k)))),
    teams: all(a.teams, b.teams),
    grants: all(a.grants, b.grants),
    changedAt: { users: new Map(), groups: new Map() },
  };
}
