import { invalid } from '../domain/errors.js';
import type { DirectoryServices } from '../directory/directory-services.js';
import type { Actor } from '../domain/actor.js';

type Args = Record<string, unknown>;
type Context = { readonly directory: DirectoryServices; readonly actor: Actor };

const ref = (args: Args, key: string): string => {
  const value = args[key];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${key} is required`, key);
  return value;
};
/** The grant scope of a request: a team id or name, or null (`org: true`) for the organisation. */
const scope = (args: Args): string | null => (args.org === true ? null : ref(args, 'team'));

/** `pgdir teams …` and `pgdir users permissions` (issue 13), run by the control table. */
export const TEAM_HANDLERS: Record<string, (context: Context, args: Args) => Promise<unknown>> = {
  'teams.add': ({ directory, actor }, args) => directory.teams.addTeam({ name: args.name, description: args.description ?? null }, actor),
  'teams.list': async ({ directory, actor }) => {
    const teams = await directory.teams.listTeams(actor);
    return Promise.all(teams.map(async (team) => ({ ...team, grants: await directory.teams.listGrants(team.id, actor) })));
  },
  'teams.rename': ({ directory, actor }, args) => directory.teams.updateTeam(ref(args, 'team'), { name: args.name }, actor),
  'teams.describe': ({ directory, actor }, args) => directory.teams.updateTeam(ref(args, 'team'), { description: args.description ?? '' }, actor),
  'teams.delete': ({ directory, actor }, args) => directory.teams.deleteTeam(ref(args, 'team'), actor),
  'teams.grant': ({ directory, actor }, args) => directory.teams.putGrant(scope(args), { principal: args.principal, level: args.level }, actor),
  'teams.revoke': ({ directory, actor }, args) => directory.teams.deleteGrant(scope(args), args.principal, actor),
  'users.permissions': ({ directory, actor }, args) => directory.teams.permissions(ref(args, 'user'), actor),
};
