import { z } from 'zod';
import { TEAM_LEVELS } from '../../domain/application.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute, type Caller } from '../route.js';

const access = z
  .strictObject({
    everyone: z.boolean().optional().describe('every user has access (cannot be combined with groups or teams)'),
    groups: z.array(z.string().max(256)).max(1000).optional().describe('group names or ids; members have access. An empty list (and no teams) means nobody but admins'),
    teams: z
      .array(z.strictObject({ team: z.string().max(256), level: z.enum(TEAM_LEVELS) }))
      .max(1000)
      .optional()
      .describe('anyone with at least `level` on `team` has access'),
  })
  .describe('who may use the application besides pgdir admins and owners, who always may; it must say who (an empty object is refused)');
const cidrs = z.array(z.string().max(64)).max(1000).describe('source addresses or CIDR ranges the application may bind from (empty: anywhere the LDAP allowlist admits)');
const timestamp = z.string().describe('ISO 8601');
const appView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  bindDn: z.string().describe('the application binds as this DN with its secret'),
  baseDn: z.string().describe("the application's own view: configure it as the base DN"),
  access: z.object({
    everyone: z.boolean(),
    groups: z.array(z.object({ id: z.string(), name: z.string() })),
    teams: z.array(z.object({ team: z.string(), level: z.string() })),
  }),
  allowedCidrs: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const withSecret = appView.extend({ secret: z.string().describe('shown only in this response; stored hashed') });
const appUser = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  role: z.string(),
  reason: z.enum(['admin', 'everyone', 'group', 'team']).describe('why the user has access'),
  groups: z.array(z.string()).optional().describe("the rule's groups the user is in"),
  teams: z.array(z.string()).optional().describe("the rule's teams on which the user has at least the level"),
});

/** Applications (issue 16; admins and owners). `:id` is the id or the name. */
export function appRoutes(api: ApiContext): AnyRoute[] {
  const apps = (caller: Caller) => api.directory.apps.as(caller.actor);
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/apps',
      summary: 'List applications',
      tag: 'applications',
      auth: 'user',
      response: z.object({ items: z.array(appView) }),
      handle: async ({ caller }) => ({ body: { items: await apps(caller).list() } }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/apps',
      summary: 'Create an application; its secret is shown only in this response',
      tag: 'applications',
      auth: 'user',
      body: z.strictObject({ name: z.string().max(256), description: z.string().max(4096).nullable().optional(), access, allowedCidrs: cidrs.optional() }),
      status: 201,
      response: withSecret,
      handle: async ({ body, caller }) => {
        const { app, secret } = await apps(caller).create(body);
        return { status: 201, body: { ...app, secret } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/apps/:id',
      summary: 'One application (by id or name)',
      tag: 'applications',
      auth: 'user',
      response: appView,
      handle: async ({ params, caller }) => ({ body: await apps(caller).get(id(params)) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/apps/:id/users',
      summary: 'Who has access to an application, and why',
      tag: 'applications',
      auth: 'user',
      response: z.object({ app: appView, items: z.array(appUser), total: z.int() }),
      handle: async ({ params, caller }) => {
        const { app, users } = await apps(caller).users(id(params));
        return { body: { app, items: users.map((u) => ({ ...u, groups: u.groups === undefined ? undefined : [...u.groups], teams: u.teams === undefined ? undefined : [...u.teams] })), total: users.length } };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: '/api/v1/apps/:id',
      summary: "Change an application's name, description, access rule or allowed addresses",
      tag: 'applications',
      auth: 'user',
      body: z.strictObject({ name: z.string().max(256).optional(), description: z.string().max(4096).nullable().optional(), access: access.optional(), allowedCidrs: cidrs.optional() }),
      response: appView,
      handle: async ({ params, body, caller }) => ({ body: await apps(caller).update(id(params), body) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/apps/:id/secret',
      summary: 'Rotate the secret (the old one stops working at once); the new one is shown only in this response',
      tag: 'applications',
      auth: 'user',
      status: 201,
      response: z.object({ secret: z.string().describe('shown only in this response') }),
      handle: async ({ params, caller }) => {
        const { secret } = await apps(caller).rotate(id(params));
        return { status: 201, body: { secret } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/apps/:id',
      summary: 'Delete an application (its bind identity and view go at once)',
      tag: 'applications',
      auth: 'user',
      status: 204,
      handle: async ({ params, caller }) => {
        await apps(caller).remove(id(params));
        return { status: 204 };
      },
    }),
  ];
}
