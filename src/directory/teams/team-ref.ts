import { invalid, notFound } from '../../domain/errors.js';
import type { Team } from '../../domain/team.js';
import type { StoreReader } from '../../store/store.js';
import { findByIdOrName } from '../id-or-name.js';

/** Finds a team by id or name (case-insensitive); 404 when there is none. */
export async function resolveTeam(reader: StoreReader, ref: unknown, field = 'team'): Promise<Team> {
  if (typeof ref !== 'string' || ref.trim() === '') throw invalid(`${field} must be an id or a name`, field);
  const team = await findByIdOrName(ref, { byId: (id) => reader.getTeam(id), byName: (name) => reader.findTeamByName(name) });
  if (team === undefined) throw notFound(`no team "${ref.trim()}"`);
  return team;
}
