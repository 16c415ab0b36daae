import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { memberField, withFieldNames } from '../field-names.js';
import { pageWindow, paging } from '../query-params.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { groupView, pageOf, toGroupView } from '../views.js';

const listQuery = z.strictObject({ ...paging, search: z.string().max(200).optional().describe('substring of the name') });
const newGroup = z.strictObject({ name: z.string(), description: z.string().nullable().optional() });
const groupPatch = z.strictObject({ name: z.string().optional(), description: z.string().nullable().optional() });

/** Groups (DESIGN §7). The built-in `users` and `admins` are computed: changing them is a 409. */
export function groupRoutes(api: ApiContext): AnyRoute[] {
  const { groups } = api.directory;
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/groups',
      summary: 'List groups with their member ids',
      tag: 'groups',
      auth: 'user',
      query: listQuery,
      response: pageOf(groupView),
      handle: async ({ query, caller }) => {
        const { page, perPage, offset } = pageWindow(query);
        const needle = query.search?.trim().toLowerCase() ?? '';
        const all = (await groups.listGroups(caller.actor)).filter((g) => g.name.includes(needle));
        return { body: { items: all.slice(offset, offset + perPage).map(toGroupView), total: all.length, page, perPage } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/groups',
      summary: 'Create a group',
      tag: 'groups',
      auth: 'user',
      body: newGroup,
      status: 201,
      response: groupView,
      handle: async ({ body, caller }) => {
        const group = await groups.addGroup(body, caller.actor);
        return { status: 201, body: toGroupView(group), headers: { location: `/api/v1/groups/${group.id}` } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/groups/:id',
      summary: 'One group (by id or name)',
      tag: 'groups',
      auth: 'user',
      response: groupView,
      handle: async ({ params, caller }) => ({ body: toGroupView(await groups.getGroup(id(params), caller.actor)) }),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/api/v1/groups/:id',
      summary: "Rename a group or change its description",
      tag: 'groups',
      auth: 'user',
      body: groupPatch,
      response: groupView,
      handle: async ({ params, body, caller }) => ({ body: toGroupView(await groups.updateGroup(id(params), body, caller.actor)) }),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/groups/:id',
      summary: 'Delete a group',
      tag: 'groups',
      auth: 'user',
      status: 204,
      handle: async ({ params, caller }) => {
        await groups.deleteGroup(id(params), caller.actor);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/groups/:id/members',
      summary: 'Replace the members of a group (every user must exist)',
      tag: 'groups',
      auth: 'user',
      body: z.strictObject({ userIds: z.array(z.string()).max(100_000).describe('user ids, usernames or emails') }),
      response: groupView,
      handle: async ({ params, body, caller }) => ({
        body: toGroupView(await withFieldNames(memberField, () => groups.setMembers(id(params), body.userIds, caller.actor))),
      }),
    }),
  ];
}
