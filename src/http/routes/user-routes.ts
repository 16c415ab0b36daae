import { z } from 'zod';
import { ROLES } from '../../domain/model.js';
import type { ApiContext } from '../api-context.js';
import { USER_FIELDS, withFieldNames } from '../field-names.js';
import { booleanParam, pageWindow, paging } from '../query-params.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { inviteLinkOf } from './lifecycle-routes.js';
import { groupRefView, pageOf, toGroupRef, toUserView, userView } from '../views.js';

const listQuery = z.strictObject({
  ...paging,
  search: z.string().max(200).optional().describe('substring of username, email or full name'),
  active: booleanParam.optional(),
  role: z.enum(ROLES).optional(),
});

const newUser = z.strictObject({
  username: z.string().nullable().optional().describe('letters, digits, . and -; empty for an invited user'),
  email: z.string(),
  fallbackEmail: z.string().nullable().optional(),
  fullName: z.string().nullable().optional(),
  role: z.enum(ROLES).optional().describe('default user; only admins and owners give other roles'),
  password: z.string().optional().describe('8–256 characters; absent: the user is invited later'),
  active: z.boolean().optional(),
});

const userPatch = z.strictObject({
  username: z.string().optional(),
  email: z.string().optional(),
  fallbackEmail: z.string().nullable().optional(),
  fullName: z.string().nullable().optional(),
});

const userWithGroups = userView.extend({ groups: z.array(groupRefView) });

/** Users (DESIGN §7): the use cases decide permissions, the self-action and last-owner rules. */
export function userRoutes(api: ApiContext): AnyRoute[] {
  const { users, groups, store } = api.directory;
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  const named = <T>(fn: () => Promise<T>) => withFieldNames(USER_FIELDS, fn);
  const one = (summary: string, path: string, body: z.ZodType<any>, run: (ref: string, body: any, ctx: any) => Promise<unknown>): AnyRoute => // eslint-disable-line @typescript-eslint/no-explicit-any
    defineRoute({ method: 'PUT', path, summary, tag: 'users', auth: 'user', body, response: userView, handle: async (ctx) => ({ body: await run(id(ctx.params), ctx.body, ctx) }) });

  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/users',
      summary: 'List users, a page at a time, optionally filtered',
      tag: 'users',
      auth: 'user',
      query: listQuery,
      response: pageOf(userView),
      handle: async ({ query, caller }) => {
        const { page, perPage, offset } = pageWindow(query);
        const filter = { search: query.search, active: query.active, role: query.role };
        const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
        const result = await users.listUsers({ ...defined, limit: perPage, offset }, caller.actor);
        return { body: { items: result.users.map(toUserView), total: result.total, page, perPage } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/users',
      summary: 'Create a user',
      tag: 'users',
      auth: 'user',
      body: newUser,
      status: 201,
      response: userView.extend({ inviteLink: z.string().optional().describe('created without a password: the link to pass on'), inviteEmailSent: z.boolean().optional() }),
      handle: async ({ req, body, caller }) => {
        const { fullName, ...rest } = body;
        const user = await named(() => users.addUser({ ...rest, name: fullName ?? null }, caller.actor));
        const invite = body.password === undefined && user.source === 'local' ? await inviteLinkOf(api, req, user.id, caller.actor) : {};
        return { status: 201, body: { ...toUserView(user), ...invite }, headers: { location: `/api/v1/users/${user.id}` } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/users/:id',
      summary: 'One user (by id, username or email) with their groups',
      tag: 'users',
      auth: 'user',
      response: userWithGroups,
      handle: async ({ params, caller }) => {
        const user = await users.getUser(id(params), caller.actor);
        const memberOf = await groups.groupsOfUser(user.id, caller.actor);
        return { body: { ...toUserView(user), groups: memberOf.map(toGroupRef) } };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: '/api/v1/users/:id',
      summary: "Change a user's username, email, fallback email or full name",
      tag: 'users',
      auth: 'user',
      body: userPatch,
      response: userView,
      handle: async ({ params, body, caller }) => {
        const { fullName, ...rest } = body;
        const changes = fullName === undefined ? rest : { ...rest, name: fullName };
        return { body: toUserView(await named(() => users.updateUser(id(params), changes, caller.actor))) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/users/:id',
      summary: 'Delete a user (their sessions end with them)',
      tag: 'users',
      auth: 'user',
      status: 204,
      handle: async ({ params, caller }) => {
        await users.deleteUser(id(params), caller.actor);
        return { status: 204 };
      },
    }),
    one('Enable or disable a user (disabling ends their sessions)', '/api/v1/users/:id/active', z.strictObject({ active: z.boolean() }), async (ref, body, ctx) =>
      toUserView(await users.setActive(ref, body.active, ctx.caller.actor)),
    ),
    one("Change a user's role (admins and owners)", '/api/v1/users/:id/role', z.strictObject({ role: z.enum(ROLES) }), async (ref, body, ctx) =>
      toUserView(await users.setRole(ref, body.role, ctx.caller.actor)),
    ),
    one("Set a user's password (their sessions end)", '/api/v1/users/:id/password', z.strictObject({ password: z.string() }), async (ref, body, ctx) =>
      toUserView(await users.setPassword(ref, body.password, ctx.caller.actor)),
    ),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/users/:id/groups',
      summary: 'Replace the groups a user is in',
      tag: 'users',
      auth: 'user',
      body: z.strictObject({ groupIds: z.array(z.string()).max(10_000).describe('group ids or names') }),
      response: z.object({ groups: z.array(groupRefView) }),
      handle: async ({ params, body, caller }) => {
        const memberOf = await api.directory.as(caller.actor).setUserGroups(id(params), body.groupIds);
        return { body: { groups: memberOf.map(toGroupRef) } };
      },
    }),
  ];
}
