import { z } from 'zod';
import type { OidcSettingsView } from '../../directory/sso/oidc-settings.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';

const preset = z.enum(['google', 'generic']);
const settingsView = z.object({
  enabled: z.boolean(),
  preset,
  issuer: z.string(),
  clientId: z.string(),
  hasClientSecret: z.boolean().describe('the secret itself is never returned'),
  buttonLabel: z.string(),
  groupsClaim: z.string(),
  scopes: z.string(),
  pinned: z.boolean().describe('set in the configuration file (sso.oidc): PUT answers 409'),
  redirectUri: z.string().describe('register this at the provider'),
});
const settingsInput = z.strictObject({
  enabled: z.boolean(),
  preset: preset.optional().describe('google: issuer https://accounts.google.com; generic (default): any provider by its issuer'),
  issuer: z.string().max(2000).optional().describe('https URL of the provider (discovery at <issuer>/.well-known/openid-configuration)'),
  clientId: z.string().max(500),
  clientSecret: z.string().max(2000).optional().describe('required the first time; absent keeps the stored one (sealed)'),
  buttonLabel: z.string().max(100).nullable().optional(),
  groupsClaim: z.string().max(100).nullable().optional().describe('claim listing the person\'s groups (default groups)'),
  scopes: z.string().max(500).nullable().optional().describe('default "openid email profile"'),
});
const notSet = z.object({ configured: z.literal(false), redirectUri: z.string() });

/** `GET/PUT /api/v1/settings/sso/oidc` (issue 14): admins, owners and organisation admins; the use cases check sso.read/sso.write. */
export function oidcSettingsRoutes(api: ApiContext): AnyRoute[] {
  const { oidc, lifecycle } = api.directory;
  const redirectUri = async (host: string | undefined, secure: boolean) => `${(await lifecycle.mail.publicUrl()) ?? `${secure ? 'https' : 'http'}://${host ?? 'localhost'}`}/oidc/callback`;
  const withUri = async (view: OidcSettingsView, host: string | undefined, secure: boolean) => ({ ...view, redirectUri: await redirectUri(host, secure) });
  const secure = (req: { socket: unknown }): boolean => (req.socket as { encrypted?: boolean }).encrypted === true;
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/sso/oidc',
      summary: 'OpenID Connect sign-in settings (Google or another provider)',
      tag: 'settings',
      auth: 'user',
      response: z.union([settingsView, notSet]),
      handle: async ({ req, caller }) => {
        const view = await oidc.read(caller.actor);
        return { body: view === undefined ? { configured: false, redirectUri: await redirectUri(req.headers.host, secure(req)) } : await withUri(view, req.headers.host, secure(req)) };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/sso/oidc',
      summary: 'Set OpenID Connect sign-in (the client secret is sealed; 409 while the configuration file sets it)',
      tag: 'settings',
      auth: 'user',
      body: settingsInput,
      response: settingsView,
      errors: { 409: 'set in the configuration file (sso.oidc)' },
      handle: async ({ req, body, caller, ip }) => ({ body: await withUri(await oidc.write(body, caller.actor, ip), req.headers.host, secure(req)) }),
    }),
  ];
}
