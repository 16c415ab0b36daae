import { passwordThrottled } from '../auth/password-throttle.js';
import { z } from 'zod';
import { forbidden } from '../../domain/errors.js';
import { qrCodeDataUrl } from '../../directory/lifecycle/qr-png.js';
import type { User } from '../../domain/model.js';
import { lifecycleMails } from '../../mail/lifecycle-mails.js';
import type { ApiContext } from '../api-context.js';
import { recipient } from './lifecycle-routes.js';
import { defineRoute, type AnyRoute, type Caller } from '../route.js';
import { toUserView, userView } from '../views.js';

/** Self-service enrolment answers with the secret; a read-only API token must not start it. */
const writable = (caller: Caller): Caller => {
  if (caller.token.scope === 'read') throw forbidden('this API token is read-only');
  return caller;
};

const ldapTotpView = z.object({ required: z.boolean().describe('enrolled users must give their code on LDAP binds') });

/** Tells the user, in the background, that their 2FA went off (a stolen session would do that). */
export function notifyTotpDisabled(api: ApiContext, user: User): User {
  api.directory.lifecycle.mail
    .current()
    .then((mailer) => mailer?.send(lifecycleMails.totpDisabled(recipient(user), user.username ?? user.email)))
    .catch(() => undefined);
  return user;
}

/** TOTP enrolment and removal (DESIGN §7) and the LDAP 2FA setting (DESIGN §4). */
export function twoFactorRoutes(api: ApiContext): AnyRoute[] {
  const { lifecycle } = api.directory;
  const twoFactor = lifecycle.twoFactor;
  const notify = (user: User): User => notifyTotpDisabled(api, user);
  return [
    defineRoute({
      method: 'POST',
      path: '/api/v1/profile/2fa/secret',
      summary: 'Start 2FA enrolment: a new TOTP secret and its otpauth:// URL (for a QR code)',
      tag: 'profile',
      auth: 'user',
      response: z.object({ secret: z.string().describe('base32'), otpauthUrl: z.string(), qrCode: z.string().describe('the otpauth URL as a PNG data URL') }),
      handle: async ({ caller }) => {
        const started = await twoFactor.newSecret(writable(caller).user);
        return { body: { ...started, qrCode: await qrCodeDataUrl(started.otpauthUrl) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/profile/2fa/enable',
      summary: 'Finish enrolment with a current code from the authenticator',
      tag: 'profile',
      auth: 'user',
      body: z.strictObject({ totpToken: z.string().max(16) }),
      response: userView,
      handle: async ({ caller, body, ip }) => ({ body: toUserView(await twoFactor.enable(writable(caller).user, body.totpToken, ip)) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/profile/2fa/disable',
      summary: 'Turn your 2FA off, proving your password',
      tag: 'profile',
      auth: 'user',
      body: z.strictObject({ password: z.string().max(1024) }),
      response: userView,
      handle: async ({ caller, body, ip }) => {
        const user = await passwordThrottled(api, caller, ip, 'the password is wrong', () => twoFactor.disable(writable(caller).user, body.password, ip));
        return { body: toUserView(notify(user)) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/users/:id/2fa/disable',
      summary: "Turn a user's 2FA off (lost device; usermanager and above)",
      tag: 'users',
      auth: 'user',
      response: userView,
      handle: async ({ caller, params, ip }) => ({ body: toUserView(notify(await twoFactor.disableFor(params['id'] ?? '', caller.actor, ip))) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/ldap-2fa',
      summary: 'Whether LDAP binds of enrolled users must carry their TOTP code',
      tag: 'settings',
      auth: 'user',
      response: ldapTotpView,
      handle: async ({ caller }) => ({ body: { required: await api.settingsFor(caller.actor).ldapTotpRequired() } }),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/ldap-2fa',
      summary: 'Require (or not) the TOTP code of enrolled users on LDAP binds',
      tag: 'settings',
      auth: 'user',
      body: z.strictObject({ required: z.boolean() }),
      response: ldapTotpView,
      handle: async ({ caller, body, ip }) => {
        await api.settingsFor(caller.actor).setLdapTotpRequired(body.required, ip);
        return { body: { required: body.required } };
      },
    }),
  ];
}
