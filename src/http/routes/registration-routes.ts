import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';

const registration = z.object({
  allowedDomains: z.array(z.string()).describe('exact email domains whose people may register themselves at their first single sign-on (A-labels for internationalised names)'),
});

/** Self-registration's allowed domains (issue 14), checked by api.settingsFor (sso.read/sso.write: admins, owners, organisation admins). */
export function registrationRoutes(api: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/registration',
      summary: 'The email domains whose people are created at their first single sign-on',
      tag: 'settings',
      auth: 'user',
      response: registration,
      handle: async ({ caller }) => ({ body: { allowedDomains: [...(await api.settingsFor(caller.actor).registration()).allowedDomains] } }),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/registration',
      summary: 'Replace the allowed domains (case-insensitive, internationalised names normalised; a bad one: 400 naming it)',
      tag: 'settings',
      auth: 'user',
      body: z.strictObject({ allowedDomains: z.array(z.string().max(300)).max(1000) }),
      response: registration,
      handle: async ({ body, caller }) => ({ body: { allowedDomains: [...(await api.settingsFor(caller.actor).setRegistration(body)).allowedDomains] } }),
    }),
  ];
}
