import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveLevel } from '../../../src/domain/effective-level.js';
import { LEVELS, levelRank, type Level } from '../../../src/domain/levels.js';
import type { Team } from '../../../src/domain/team.js';
import { isListed } from '../../../src/domain/user-listing.js';
import type { Snapshot } from '../../../src/store/store.js';
import { DirectoryState } from '../../../src/directory/view/directory-state.js';
import { createDit } from '../../../src/directory/view/dit.js';
import { arbWorld, batchBetween, worldSnapshot } from '../../helpers/directory-world.js';

/**
 * Issue 13's property: for random users, groups, teams and grants, every user's level in the view
 * equals the pure effective level (the maximum over applicable grants), every derived group holds
 * exactly the users with at least its level, memberOf lists exactly those groups, and a change
 * batch applied to one state gives what loading the final snapshot gives.
 */
const S = 'dc=example,dc=com';
const dit = createDit({ suffix: S });
const world = arbWorld({ users: 6, groups: 3, teams: 3, apps: 0, maxGrants: 10, varyUsers: false });

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

describe('teams in the view: properties (issue 13)', () => {
  it('derived memberships and memberOf agree with the effective level, loaded or followed', () => {
    fc.assert(
      fc.property(world, world, (w1, w2) => {
        const [a, b] = [worldSnapshot(w1, 1), worldSnapshot(w2, 2)];
        const loaded = DirectoryState.load(dit, b);
        check(loaded, b);
        const followed = DirectoryState.load(dit, a);
        check(followed, a);
        followed.apply(batchBetween(a, b, 'everything'));
        check(followed, b);
      }),
      { numRuns: 150 },
    );
  });
});
