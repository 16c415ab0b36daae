import { sql, type Kysely } from 'kysely';
import type { Grant, Principal, Team } from '../domain/team.js';
import { isUuid } from '../domain/uuid.js';
import type { Database } from './schema.js';
import { toGrant, toTeam } from './team-rows.js';
import type { TeamReader } from './team-store-types.js';

export function createTeamReader(db: Kysely<Database>): TeamReader {
  const teamBy = async (where: ReturnType<typeof sql<boolean>>): Promise<Team | undefined> => {
    const row = await db.selectFrom('teams').selectAll().where(where).executeTakeFirst();
    return row && toTeam(row);
  };
  return {
    listTeams: async () => (await db.selectFrom('teams').selectAll().orderBy(sql`lower(name)`).execute()).map(toTeam),
    getTeam: (id) => (isUuid(id) ? teamBy(sql<boolean>`id = ${id.toLowerCase()}`) : Promise.resolve(undefined)),
    findTeamByName: (name) => teamBy(sql<boolean>`lower(name) = lower(${name})`),
    async listGrants(query = {}) {
      let q = db.selectFrom('grants').selectAll();
      if (query.teamId === null) q = q.where('team_id', 'is', null);
      else if (query.teamId !== undefined) {
        if (!isUuid(query.teamId)) return [];
        q = q.where('team_id', '=', query.teamId.toLowerCase());
      }
      return (await q.orderBy('created_at').orderBy('id').execute()).map(toGrant);
    },
    async getGrant(id) {
      if (!isUuid(id)) return undefined;
      const row = await db.selectFrom('grants').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
      return row && toGrant(row);
    },
    async findGrant(teamId, principal) {
      if ((teamId !== null && !isUuid(teamId)) || (principal.type !== 'everyone' && !isUuid(principal.id))) return undefined;
      let q = db.selectFrom('grants').selectAll().where('principal_type', '=', principal.type);
      q = teamId === null ? q.where('team_id', 'is', null) : q.where('team_id', '=', teamId.toLowerCase());
      if (principal.type === 'user') q = q.where('user_id', '=', principal.id.toLowerCase());
      if (principal.type === 'group') q = q.where('group_id', '=', principal.id.toLowerCase());
      const row = await q.executeTakeFirst();
      return row && toGrant(row);
    },
  };
}
