import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveLevel } from '../../src/domain/effective-level.js';
import { LEVELS, levelRank, parseLevel, type Level } from '../../src/domain/levels.js';
import type { Grant, Principal } from '../../src/domain/team.js';
import { normalizeTeamName } from '../../src/domain/team-name.js';

const USERS = ['u0', 'u1', 'u2'];
const GROUPS = ['g0', 'g1'];
const TEAMS = ['t0', 't1'];
const T0 = new Date(0);

const principal: fc.Arbitrary<Principal> = fc.oneof(
  fc.constantFrom(...USERS).map((id) => ({ type: 'user' as const, id })),
  fc.constantFrom(...GROUPS).map((id) => ({ type: 'group' as const, id })),
  fc.constant({ type: 'everyone' as const }),
);
const grant: fc.Arbitrary<Grant> = fc.record({
  id: fc.uuid(),
  teamId: fc.constantFrom<string | null>(null, ...TEAMS),
  principal,
  level: fc.constantFrom(...LEVELS),
  createdAt: fc.constant(T0),
  updatedAt: fc.constant(T0),
});
const who = fc.record({
  userId: fc.constantFrom(...USERS),
  listed: fc.boolean(),
  groupIds: fc.subarray(GROUPS).map((g) => new Set(g)),
});

/** The definition, written the slow way: every level some applicable grant gives, highest one. */
function bruteForce(grants: readonly Grant[], teamId: string | null, w: { userId: string; listed: boolean; groupIds: Set<string> }): Level | null {
  if (!w.listed) return null;
  const given = grants
    .filter((g) => g.teamId === null || g.teamId === teamId)
    .filter((g) => g.principal.type === 'everyone' || (g.principal.type === 'user' ? g.principal.id === w.userId : w.groupIds.has(g.principal.id)))
    .map((g) => levelRank(g.level));
  return given.length === 0 ? null : (LEVELS[Math.max(...given)] as Level);
}

describe('effective level (issue 13)', () => {
  it('is the maximum over every applicable grant, and names exactly the grants at that level', () => {
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 12 }), fc.constantFrom<string | null>(null, ...TEAMS), who, (grants, teamId, w) => {
        const answer = effectiveLevel(grants, teamId, w);
        const expected = bruteForce(grants, teamId, w);
        expect(answer.level).toBe(expected);
        for (const g of answer.because) expect(g.level).toBe(expected);
        const producing = grants.filter((g) => g.level === expected && bruteForce([g], teamId, w) === expected);
        expect(new Set(answer.because)).toEqual(new Set(producing));
        // Grants only add: adding any grant never lowers the level.
        for (const extra of grants) {
          const more = effectiveLevel([...grants, extra], teamId, w).level;
          expect(more === null ? -1 : levelRank(more)).toBeGreaterThanOrEqual(expected === null ? -1 : levelRank(expected));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses levels case-insensitively and names the allowed ones otherwise', () => {
    expect(parseLevel(' Editor ')).toBe('editor');
    expect(() => parseLevel('owner')).toThrow(/allowed levels are viewer, user, editor, publisher, admin/);
    expect(() => parseLevel(3)).toThrow(/unknown level 3/);
  });

  it('keeps team names off the names the tree uses itself', () => {
    expect(normalizeTeamName(' Web ')).toBe('web');
    expect(normalizeTeamName('web.editors')).toBe('web.editors');
    expect(() => normalizeTeamName('organization')).toThrow(/reserved/);
    expect(() => normalizeTeamName('web.admin')).toThrow(/derived group/);
    expect(() => normalizeTeamName('admins')).toThrow(/built in/);
    expect(() => normalizeTeamName('we b')).toThrow(/only letters/);
  });
});
