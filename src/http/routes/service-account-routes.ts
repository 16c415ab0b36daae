import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute, type Caller } from '../route.js';
import { serviceAccountView, toServiceAccountView } from '../views.js';

const cidrs = z.array(z.string().max(64)).max(1000).describe('source addresses or CIDR ranges allowed to bind (empty: the global allowlist only)');
const withSecret = serviceAccountView.extend({ secret: z.string().describe('shown only in this response') });

/** Service accounts in ou=system (admins and owners). */
export function serviceAccountRoutes(api: ApiContext): AnyRoute[] {
  const accounts = (caller: Caller) => api.directory.as(caller.actor).serviceAccounts;
  const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/service-accounts',
      summary: 'List service accounts',
      tag: 'service accounts',
      auth: 'user',
      response: z.object({ items: z.array(serviceAccountView) }),
      handle: async ({ caller }) => {
        return { body: { items: (await accounts(caller).list()).map(toServiceAccountView) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/service-accounts',
      summary: 'Create a service account; its secret is shown only in this response',
      tag: 'service accounts',
      auth: 'user',
      body: z.strictObject({ name: z.string(), allowedCidrs: cidrs.optional(), privileged: z.boolean().optional().describe('may set users\' passwords over LDAP') }),
      status: 201,
      response: withSecret,
      handle: async ({ body, caller }) => {
        const { account, secret } = await accounts(caller).create(body);
        return { status: 201, body: { ...toServiceAccountView(account), secret } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/service-accounts/:id',
      summary: 'One service account (by id or name)',
      tag: 'service accounts',
      auth: 'user',
      response: serviceAccountView,
      handle: async ({ params, caller }) => {
        return { body: toServiceAccountView(await accounts(caller).get(id(params))) };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: '/api/v1/service-accounts/:id',
      summary: "Change a service account's allowed addresses or privilege",
      tag: 'service accounts',
      auth: 'user',
      body: z.strictObject({ allowedCidrs: cidrs.optional(), privileged: z.boolean().optional() }),
      response: serviceAccountView,
      handle: async ({ params, body, caller }) => ({ body: toServiceAccountView(await accounts(caller).update(id(params), body)) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/service-accounts/:id/secret',
      summary: 'Rotate the secret; the new one is shown only in this response',
      tag: 'service accounts',
      auth: 'user',
      status: 201,
      response: withSecret,
      handle: async ({ params, caller }) => {
        const { account, secret } = await accounts(caller).rotate(id(params));
        return { status: 201, body: { ...toServiceAccountView(account), secret } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/v1/service-accounts/:id',
      summary: 'Delete a service account',
      tag: 'service accounts',
      auth: 'user',
      status: 204,
      handle: async ({ params, caller }) => {
        await accounts(caller).remove(id(params));
        return { status: 204 };
      },
    }),
  ];
}
