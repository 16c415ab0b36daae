import type { Level } from '../domain/levels.js';
import type { Grant, Principal, Team } from '../domain/team.js';

/** The store's team and grant interfaces (issue 13), apart from their kysely implementations. */

/** Which grants to list: every one, those of a team, or (teamId null) the organisation's. */
export interface GrantQuery {
  readonly teamId?: string | null;
}

/** Reads of teams and grants, shared by the Store and its transactions (issue 13). */
export interface TeamReader {
  listTeams(): Promise<Team[]>;
  getTeam(id: string): Promise<Team | undefined>;
  /** Case-insensitive. */
  findTeamByName(name: string): Promise<Team | undefined>;
  listGrants(query?: GrantQuery): Promise<Grant[]>;
  getGrant(id: string): Promise<Grant | undefined>;
  /** The grant of one principal in one scope (teamId null: the organisation), if any. */
  findGrant(teamId: string | null, principal: Principal): Promise<Grant | undefined>;
}

export interface NewTeam {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
}
export type TeamPatch = Partial<Pick<Team, 'name' | 'description'>>;

export interface NewGrant {
  readonly teamId: string | null;
  readonly principal: Principal;
  readonly level: Level;
}

/** putGrant's outcome: the grant as stored now and the one it replaced (undefined: new). */
export interface PutGrantResult {
  readonly grant: Grant;
  readonly before: Grant | undefined;
}

/** Team and grant writes (issue 13); each logs its change rows so the view follows. */
export interface TeamMutations {
  insertTeam(team: NewTeam): Promise<Team>;
  updateTeam(id: string, patch: TeamPatch): Promise<Team>;
  /** Deletes the team and every grant on it (each logged), returning the grants removed. */
  deleteTeam(id: string): Promise<Grant[]>;
  /** One grant per principal and scope: inserts it, or replaces the level of the existing one. */
  putGrant(grant: NewGrant): Promise<PutGrantResult>;
  /** False when there was no such grant. */
  deleteGrant(id: string): Promise<boolean>;
}

