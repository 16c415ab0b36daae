import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';

const directoryServer = z.object({
  enabled: z.boolean(),
  allowlist: z.string().describe('one IP address or CIDR range per line; # starts a comment'),
  locked: z.array(z.enum(['enabled', 'allowlist'])).describe('fields set in the configuration file'),
  secretLocked: z.boolean().describe('the directory admin secret is set in the configuration file'),
});
const userDirectory = z.object({
  mandatory2fa: z.boolean(),
  lockProfiles: z.boolean(),
  locked: z.array(z.enum(['mandatory2fa', 'lockProfiles'])),
});
const atLeastOne = (value: object): boolean => Object.values(value).some((v) => v !== undefined);

/** Directory-server and user-directory settings (admins and owners; checked by api.settingsFor). */
export function settingsRoutes(api: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/directory-server',
      summary: 'Whether the LDAP server is enabled, and its source-address allowlist',
      tag: 'settings',
      auth: 'user',
      response: directoryServer,
      handle: async ({ caller }) => {
        const settings = api.settingsFor(caller.actor);
        const { values, locked } = await settings.directoryServer();
        return { body: { ...values, locked, secretLocked: settings.secretLocked } };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/directory-server',
      summary: 'Enable or disable the LDAP server, replace its allowlist (invalid lines: 400 naming the line)',
      tag: 'settings',
      auth: 'user',
      body: z.strictObject({ enabled: z.boolean().optional(), allowlist: z.string().max(256 * 1024).optional() }).refine(atLeastOne, 'give enabled or allowlist'),
      response: directoryServer,
      handle: async ({ body, caller }) => {
        const settings = api.settingsFor(caller.actor);
        const after = await settings.setDirectoryServer(body);
        await api.onDirectoryServerChange?.(after.values);
        return { body: { ...after.values, locked: after.locked, secretLocked: settings.secretLocked } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/settings/directory-server/secret',
      summary: 'Rotate the secret of cn=admin,ou=system; the new secret is shown only in this response',
      tag: 'settings',
      auth: 'user',
      status: 201,
      response: z.object({ secret: z.string() }),
      handle: async ({ caller }) => ({ status: 201, body: { secret: await api.settingsFor(caller.actor).rotateAdminSecret() } }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/user-directory',
      summary: 'Mandatory two-factor authentication and the profile lock',
      tag: 'settings',
      auth: 'user',
      response: userDirectory,
      handle: async ({ caller }) => {
        const { values, locked } = await api.settingsFor(caller.actor).userDirectory();
        return { body: { ...values, locked } };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/user-directory',
      summary: 'Change mandatory 2FA (switching it on ends the sessions of users without 2FA) and the profile lock',
      tag: 'settings',
      auth: 'user',
      body: z.strictObject({ mandatory2fa: z.boolean().optional(), lockProfiles: z.boolean().optional() }).refine(atLeastOne, 'give mandatory2fa or lockProfiles'),
      response: userDirectory,
      handle: async ({ body, caller }) => {
        const after = await api.settingsFor(caller.actor).setUserDirectory(body);
        return { body: { ...after.values, locked: after.locked } };
      },
    }),
  ];
}
