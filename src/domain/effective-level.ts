import { levelRank, type Level } from './levels.js';
import type { Grant } from './team.js';

/** What decides whether a grant reaches a user. */
export interface GrantReach {
  readonly userId: string;
  /** Active and signed up (listed): inactive users and open invites have no level at all. */
  readonly listed: boolean;
  /** Every pgdir group the user is in (local, mirrored and SSO groups alike). */
  readonly groupIds: ReadonlySet<string>;
}

/** An effective level and the grants that produce it (all grants at that level reaching the user). */
export interface LevelAnswer {
  readonly level: Level | null;
  readonly because: readonly Grant[];
}

export const NO_LEVEL: LevelAnswer = Object.freeze({ level: null, because: Object.freeze([]) as readonly Grant[] });

/** Whether one grant's principal reaches the user (the scope is checked by the caller). */
export function reaches(grant: Grant, who: GrantReach): boolean {
  if (!who.listed) return false;
  const p = grant.principal;
  if (p.type === 'everyone') return true;
  if (p.type === 'user') return p.id === who.userId;
  return who.groupIds.has(p.id);
}

/**
 * The effective level of issue 13: the maximum over every grant that reaches the user, on the
 * team (`teamId`) or on the organisation (grants with teamId null apply to every team). With
 * `teamId` null only organisation grants count (the organisation level). Grants only add: a
 * smaller grant never lowers what a larger one gives. Pure: the view and the API agree by
 * construction, and the property test checks this function against a brute-force maximum.
 */
export function effectiveLevel(grants: Iterable<Grant>, teamId: string | null, who: GrantReach): LevelAnswer {
  if (!who.listed) return NO_LEVEL;
  let best = -1;
  let because: Grant[] = [];
  for (const grant of grants) {
    if (grant.teamId !== null && grant.teamId !== teamId) continue;
    if (!reaches(grant, who)) continue;
    const rank = levelRank(grant.level);
    if (rank > best) {
      best = rank;
      because = [grant];
    } else if (rank === best) because.push(grant);
  }
  if (best < 0) return NO_LEVEL;
  return { level: because[0]!.level, because };
}
