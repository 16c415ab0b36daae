import { z } from 'zod';
import { LEVELS } from '../../domain/levels.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { grantView, permissionsView, teamView, toGrantView, toPermissionsView, toTeamView } from './team-views.js';

const newTeam = z.strictObject({ name: z.string(), description: z.string().nullable().optional() });
const teamPatch = z.strictObject({ name: z.string().optional(), description: z.string().nullable().optional() });
const principal = z.strictObject({
  type: z.string().describe('user, group or everyone'),
  id: z.string().optional().describe('user id, username or email; group id or name; absent for everyone'),
});
// Levels are checked by the use case so that a wrong one gets the message naming the allowed ones.
const grantBody = z.strictObject({ principal, level: z.string().describe(`one of ${LEVELS.join(', ')}`) });
const principalQuery = z.strictObject({ type: z.string().describe('user, group or everyone'), id: z.string().optional() });
const NOT_FOUND = { 404: 'No such team, user, group or grant', 409: 'A team with that name exists (any case), or the name is reserved' };

/** Teams, grants and permission levels (issue 13); who may do what is decided in the use cases. */
export function teamRoutes(api: ApiContext): AnyRoute[] {
  const { teams } = api.directory;
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/teams', summary: 'List the teams you may see (all for admins and organisation admins)', tag: 'teams', auth: 'user',
      response: z.object({ items: z.array(teamView) }),
      handle: async ({ caller }) => ({ body: { items: (await teams.listTeams(caller.actor)).map(toTeamView) } }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/teams', summary: 'Create a team', tag: 'teams', auth: 'user', body: newTeam, status: 201, response: teamView, errors: NOT_FOUND,
      handle: async ({ body, caller }) => {
        const team = await teams.addTeam(body, caller.actor);
        return { status: 201, body: toTeamView(team), headers: { location: `/api/v1/teams/${team.id}` } };
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/teams/:id', summary: 'One team (by id or name)', tag: 'teams', auth: 'user', response: teamView, errors: NOT_FOUND,
      handle: async ({ params, caller }) => ({ body: toTeamView(await teams.getTeam(id(params), caller.actor)) }),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/teams/:id', summary: 'Rename a team or change its description (keeps its id)', tag: 'teams', auth: 'user', body: teamPatch, response: teamView, errors: NOT_FOUND,
      handle: async ({ params, body, caller }) => ({ body: toTeamView(await teams.updateTeam(id(params), body, caller.actor)) }),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/teams/:id', summary: 'Delete a team with its grants and derived groups', tag: 'teams', auth: 'user', status: 204, errors: NOT_FOUND,
      handle: async ({ params, caller }) => {
        await teams.deleteTeam(id(params), caller.actor);
        return { status: 204 };
      },
    }),
    ...grantRoutes(api, '/api/v1/teams/:id/grants', 'a team', (params) => id(params)),
    ...grantRoutes(api, '/api/v1/organization/grants', 'the organisation (that level on every team)', () => null),
    defineRoute({
      method: 'GET', path: '/api/v1/users/:id/permissions', summary: "A user's organisation and team levels, with the grants behind each", tag: 'teams', auth: 'user', response: permissionsView, errors: NOT_FOUND,
      handle: async ({ params, caller }) => ({ body: toPermissionsView(await teams.permissions(id(params), caller.actor)) }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/profile/permissions', summary: 'Your organisation and team levels, with the grants behind each', tag: 'profile', auth: 'user', response: permissionsView,
      handle: async ({ caller }) => ({ body: toPermissionsView(await teams.permissions(caller.user.id, caller.actor)) }),
    }),
  ];
}

function grantRoutes(api: ApiContext, path: string, what: string, scope: (params: Readonly<Record<string, string>>) => string | null): AnyRoute[] {
  const { teams } = api.directory;
  return [
    defineRoute({
      method: 'GET', path, summary: `The grants on ${what}`, tag: 'teams', auth: 'user', response: z.object({ items: z.array(grantView) }), errors: NOT_FOUND,
      handle: async ({ params, caller }) => ({ body: { items: (await teams.listGrants(scope(params), caller.actor)).map(toGrantView) } }),
    }),
    defineRoute({
      method: 'PUT', path, summary: `Give a principal a level on ${what} (one grant per principal: replaces its level)`, tag: 'teams', auth: 'user', body: grantBody, response: grantView, errors: NOT_FOUND,
      handle: async ({ params, body, caller }) => ({ body: toGrantView(await teams.putGrant(scope(params), body, caller.actor)) }),
    }),
    defineRoute({
      method: 'DELETE', path, summary: `Remove a principal's grant on ${what}`, tag: 'teams', auth: 'user', query: principalQuery, status: 204, errors: NOT_FOUND,
      handle: async ({ params, query, caller }) => {
        await teams.deleteGrant(scope(params), query, caller.actor);
        return { status: 204 };
      },
    }),
  ];
}
