import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveLevel } from '../../../src/domain/effective-level.js';
import { LEVELS, levelRank, type Level } from '../../../src/domain/levels.js';
import type { Group, User } from '../../../src/domain/model.js';
import type { Grant, Principal, Team } from '../../../src/domain/team.js';
import { isListed } from '../../../src/domain/user-listing.js';
import type { Snapshot } from '../../../src/store/store.js';
import { DirectoryState, type RecordBatch } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';

/**
 * Issue 13's property: for random users, groups, teams and grants, every user's level in the view
 * equals the pure effective level (the maximum over applicable grants), every derived group holds
 * exactly the users with at least its level, memberOf lists exactly those groups, and a change
 * batch applied to one state gives what loading the final snapshot gives.
 */
const S = 'dc=example,dc=com';
const dit = createDit({ suffix: S });
const id = (prefix: string, i: number): string => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const T0 = new Date(Date.UTC(2025, 0, 1));
const NUSERS = 6;
const NGROUPS = 3;
const NTEAMS = 3;

const arbPrincipal = fc.oneof(
  fc.nat(NUSERS - 1).map((i): Principal => ({ type: 'user', id: id('00000000', i) })),
  fc.nat(NGROUPS - 1).map((i): Principal => ({ type: 'group', id: id('11111111', i) })),
  fc.constant<Principal>({ type: 'everyone' }),
);
const arbWorld = fc.record({
  active: fc.array(fc.boolean(), { minLength: NUSERS, maxLength: NUSERS }),
  memberships: fc.array(fc.tuple(fc.nat(NUSERS - 1), fc.nat(NGROUPS - 1)), { maxLength: 12 }),
  teams: fc.array(fc.boolean(), { minLength: NTEAMS, maxLength: NTEAMS }),
  grants: fc.array(fc.record({ team: fc.option(fc.nat(NTEAMS - 1), { nil: null }), principal: arbPrincipal, level: fc.constantFrom(...LEVELS) }), { maxLength: 10 }),
});
type World = typeof arbWorld extends fc.Arbitrary<infer W> ? W : never;

function snapshot(w: World, revision: number): Snapshot {
  const users: User[] = w.active.map((active, i) => ({
    id: id('00000000', i), username: `u${i}`, email: `u${i}@example.com`, fallbackEmail: null, displayName: '', role: 'user', active,
    source: 'local', sourceId: null, sourceDn: null, passwordHash: 'h', uidNumber: 10000 + i, totpEnabled: false,
    createdAt: T0, updatedAt: T0, passwordChangedAt: null,
  }));
  const groups: Group[] = Array.from({ length: NGROUPS }, (_, i) => ({
    id: id('11111111', i), name: `g${i}`, description: '', gidNumber: 10000 + i, source: 'local', sourceId: null, createdAt: T0, updatedAt: T0,
  }));
  const teams: Team[] = [];
  w.teams.forEach((present, i) => {
    if (present) teams.push({ id: id('33333333', i), name: `t${i}`, description: '', createdAt: new Date(T0.getTime() + i), updatedAt: T0 });
  });
  // One grant per principal and scope (the store's unique index): the last one wins.
  const byKey = new Map<string, Grant>();
  w.grants.forEach((g, i) => {
    const teamId = g.team === null ? null : id('33333333', g.team);
    if (teamId !== null && !teams.some((t) => t.id === teamId)) return;
    const key = `${teamId}:${g.principal.type}:${g.principal.type === 'everyone' ? '' : g.principal.id}`;
    byKey.set(key, { id: byKey.get(key)?.id ?? id('44444444', i), teamId, principal: g.principal, level: g.level, createdAt: T0, updatedAt: T0 });
  });
  const pairs = new Set(w.memberships.map(([u, g]) => `${id('11111111', g)}:${id('00000000', u)}`));
  const memberships = [...pairs].map((k) => ({ groupId: k.slice(0, 36), userId: k.slice(37) }));
  return { revision, users, groups, memberships, serviceAccounts: [], teams, grants: [...byKey.values()] };
}

function check(state: DirectoryState, snap: Snapshot): void {
  const T = `ou=teams,${S}`;
  const scopes: (Team | null)[] = [null, ...snap.teams];
  for (const user of snap.users) {
    const groupIds = new Set(snap.memberships.filter((m) => m.userId === user.id).map((m) => m.groupId));
    const who = { userId: user.id, listed: isListed(user), groupIds };
    const memberOf = state.entries.byId.user.get(user.id)?.attributes.get('memberof') ?? [];
    for (const team of scopes) {
      const expected = effectiveLevel(snap.grants, team?.id ?? null, who).level;
      if (team !== null) expect(state.teams.levelOnTeam(user.id, team.name)).toBe(expected);
      expect(state.teams.levels.answer(user.id, team?.id ?? null).level).toBe(expected);
      const orgShown = snap.grants.some((g) => g.teamId === null);
      if (team === null && !orgShown) continue;
      for (const level of LEVELS) {
        const cn = `${team?.name ?? 'organization'}.${level}`;
        const inGroup = (state.entries.byNorm.get(`cn=${cn},${T}`)?.attributes.get('memberuid') ?? []).includes(user.username ?? '');
        const holds = expected !== null && levelRank(expected) >= levelRank(level as Level);
        expect(inGroup, `${user.username} in ${cn}`).toBe(holds);
        expect(memberOf.includes(`cn=${cn},${T}`), `${user.username} memberOf ${cn}`).toBe(holds);
      }
    }
  }
}

/** The batch the change feed would deliver between two snapshots (everything re-read). */
function batchBetween(a: Snapshot, b: Snapshot): RecordBatch {
  const byId = <T extends { id: string }>(xs: readonly T[]) => new Map(xs.map((x) => [x.id, x]));
  const [ta, tb, ga, gb] = [byId(a.teams), byId(b.teams), byId(a.grants), byId(b.grants)];
  const teams = new Map<string, Team | undefined>([...ta.keys(), ...tb.keys()].map((k) => [k, tb.get(k)]));
  const grants = new Map<string, Grant | undefined>([...ga.keys(), ...gb.keys()].map((k) => [k, gb.get(k)]));
  return {
    revision: b.revision,
    users: new Map(b.users.map((u) => [u.id, u])),
    groups: new Map(),
    userGroups: new Map(b.users.map((u) => [u.id, b.memberships.filter((m) => m.userId === u.id).map((m) => m.groupId)])),
    accounts: new Map(),
    teams,
    grants,
    changedAt: { users: new Map(), groups: new Map() },
  };
}

describe('teams in the view: properties (issue 13)', () => {
  it('derived memberships and memberOf agree with the effective level, loaded or followed', () => {
    fc.assert(
      fc.property(arbWorld, arbWorld, (w1, w2) => {
        const [a, b] = [snapshot(w1, 1), snapshot(w2, 2)];
        const loaded = DirectoryState.load(dit, b);
        check(loaded, b);
        const followed = DirectoryState.load(dit, a);
        check(followed, a);
        followed.apply(batchBetween(a, b));
        check(followed, b);
      }),
      { numRuns: 150 },
    );
  });
});
