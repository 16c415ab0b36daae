import type { Selectable } from 'kysely';
import type { Level } from '../domain/levels.js';
import type { Grant, Principal, Team } from '../domain/team.js';
import type { GrantsTable, TeamsTable } from './schema.js';

/** Team and grant rows as domain records (CHECK constraints guarantee the enums). */
export function toTeam(row: Selectable<TeamsTable>): Team {
  return { id: row.id, name: row.name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at };
}

function principalOf(row: Selectable<GrantsTable>): Principal {
  if (row.principal_type === 'user' && row.user_id !== null) return { type: 'user', id: row.user_id };
  if (row.principal_type === 'group' && row.group_id !== null) return { type: 'group', id: row.group_id };
  return { type: 'everyone' };
}

export function toGrant(row: Selectable<GrantsTable>): Grant {
  return {
    id: row.id,
    teamId: row.team_id,
    principal: principalOf(row),
    level: row.level as Level,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
