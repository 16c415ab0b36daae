import type { Level } from '../../domain/levels.js';
import type { User } from '../../domain/model.js';
import type { StoreReader } from '../../store/store.js';
import { grantView, nameBook, type GrantView } from './grant-view.js';
import { readUserLevels } from './level-table.js';

/** `GET /users/:id/permissions`: levels with the grants producing them (issue 13). */
export interface PermissionsReport {
  readonly user: { readonly id: string; readonly username: string | null };
  readonly organization: Level | null;
  /** The grants that produce the organisation level. */
  readonly organizationBecause: readonly GrantView[];
  /** Every team on which the user has a level, by team name. */
  readonly teams: readonly { readonly team: { readonly id: string; readonly name: string }; readonly level: Level; readonly because: readonly GrantView[] }[];
}

export async function permissionsReport(reader: StoreReader, user: User): Promise<PermissionsReport> {
  const teams = await reader.listTeams();
  const levels = await readUserLevels(reader, user.id, teams);
  const names = nameBook(reader, teams);
  const rows = [];
  for (const team of teams) {
    const answer = levels.teams.get(team.id);
    if (answer?.level == null) continue;
    rows.push({ team: { id: team.id, name: team.name }, level: answer.level, because: await Promise.all(answer.because.map((g) => grantView(g, names))) });
  }
  return {
    user: { id: user.id, username: user.username },
    organization: levels.organization.level,
    organizationBecause: await Promise.all(levels.organization.because.map((g) => grantView(g, names))),
    teams: rows,
  };
}
