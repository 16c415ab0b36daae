import { z } from 'zod';
import type { AppPassword } from '../../directory/auth/app-passwords.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';

const appPasswordView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable().describe('the last LDAP bind with it (recorded at most once a minute)'),
});
const listView = z.object({ items: z.array(appPasswordView) });
const newAppPassword = z.strictObject({ name: z.string().describe('where it is used, e.g. "laptop mail" (1–100 characters)') });

const toView = (p: AppPassword): z.infer<typeof appPasswordView> => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt === null ? null : p.lastUsedAt.toISOString(),
});

/**
 * App passwords (issue 14): LDAP bind passwords people make for their devices and programs, shown
 * once. Each user manages their own under /profile; an admin lists and revokes a user's.
 */
export function appPasswordRoutes(api: ApiContext): AnyRoute[] {
  const { appPasswords } = api.directory;
  const param = (params: Readonly<Record<string, string>>, name: string): string => params[name] ?? '';
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/profile/app-passwords',
      summary: 'Your app passwords (never the passwords themselves)',
      tag: 'profile',
      auth: 'user',
      response: listView,
      handle: async ({ caller }) => ({ body: { items: (await appPasswords.list(caller.user.id, caller.actor)).map(toView) } }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/profile/app-passwords',
      summary: 'Make an app password for LDAP binds (works without a two-factor code); the password is shown only in this response',
      tag: 'profile',
      auth: 'user',
      body: newAppPassword,
      status: 201,
      errors: { 409: 'you have the maximum number of app passwords' },
      response: appPasswordView.extend({ password: z.string().describe('shown once: give it to the LDAP client as the bind password') }),
      handle: async ({ body, caller, ip }) => {
        const { record, password } = await appPasswords.create(caller.actor, body.name, ip);
        return { status: 201, body: { ...toView(record), password } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/profile/app-passwords/:id',
      summary: 'Revoke one of your app passwords (binds with it fail at once)',
      tag: 'profile',
      auth: 'user',
      status: 204,
      errors: { 404: 'no such app password of yours' },
      handle: async ({ params, caller, ip }) => {
        await appPasswords.revoke(caller.user.id, param(params, 'id'), caller.actor, ip);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/users/:id/app-passwords',
      summary: "A user's app passwords (admins; never the passwords themselves)",
      tag: 'users',
      auth: 'user',
      response: listView,
      errors: { 404: 'no such user' },
      handle: async ({ params, caller }) => ({ body: { items: (await appPasswords.list(param(params, 'id'), caller.actor)).map(toView) } }),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/users/:id/app-passwords/:appPasswordId',
      summary: "Revoke one of a user's app passwords (admins)",
      tag: 'users',
      auth: 'user',
      status: 204,
      errors: { 404: 'no such user or app password' },
      handle: async ({ params, caller, ip }) => {
        await appPasswords.revoke(param(params, 'id'), param(params, 'appPasswordId'), caller.actor, ip);
        return { status: 204 };
      },
    }),
  ];
}
