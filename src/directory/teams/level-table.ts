import { effectiveLevel, NO_LEVEL, type GrantReach, type LevelAnswer } from '../../domain/effective-level.js';
import type { Grant, Team } from '../../domain/team.js';
import { isListed } from '../../domain/user-listing.js';
import type { StoreReader } from '../../store/store.js';

/** One user's levels as the store holds them now: the organisation's and every team's. */
export interface UserLevels {
  readonly organization: LevelAnswer;
  /** team id → level; teams without a level are absent. */
  readonly teams: ReadonlyMap<string, LevelAnswer>;
}

/**
 * A user's effective levels read from the store (the API's answer; the LDAP view computes the
 * same from its own records with the same pure function, domain/effective-level.ts).
 */
export async function readUserLevels(reader: StoreReader, userId: string, teams?: readonly Team[]): Promise<UserLevels> {
  const user = await reader.getUser(userId);
  if (user === undefined) return { organization: NO_LEVEL, teams: new Map() };
  const who: GrantReach = { userId: user.id, listed: isListed(user), groupIds: new Set(await reader.userGroupIds(user.id)) };
  const grants = await reader.listGrants();
  return levelsFor(who, grants, teams ?? (await reader.listTeams()));
}

export function levelsFor(who: GrantReach, grants: readonly Grant[], teams: readonly Team[]): UserLevels {
  const organization = effectiveLevel(grants, null, who);
  const byTeam = new Map<string, Grant[]>();
  const org: Grant[] = [];
  for (const g of grants) {
    if (g.teamId === null) org.push(g);
    else (byTeam.get(g.teamId) ?? byTeam.set(g.teamId, []).get(g.teamId)!).push(g);
  }
  const levels = new Map<string, LevelAnswer>();
  for (const team of teams) {
    const answer = effectiveLevel([...org, ...(byTeam.get(team.id) ?? [])], team.id, who);
    if (answer.level !== null) levels.set(team.id, answer);
  }
  return { organization, teams: levels };
}
