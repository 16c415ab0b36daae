import type { Team } from '../../domain/team.js';

/** A team by name, case-insensitively (team names are stored lower case). */
export function findByName(teams: ReadonlyMap<string, Team>, name: string): Team | undefined {
  const key = name.trim().toLowerCase();
  for (const team of teams.values()) if (team.name === key) return team;
  return undefined;
}
