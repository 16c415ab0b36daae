import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { identityFromClaims } from '../../directory/sso/oidc-claims.js';
import type { ActiveOidc } from '../../directory/sso/oidc-settings.js';
import { readRegistrationSettings } from '../../directory/sso/registration-settings.js';
import { passwordSignInDisabled, SIGN_IN_WITH_SSO } from '../../directory/sso/sso-only.js';
import { auditRefusal, signInWithSso } from '../../directory/sso/sso-sign-in.js';
import type { ApiContext } from '../api-context.js';
import { issueSession } from '../auth/login.js';
import { cookiesOf, sessionCookie } from '../auth/session-cookie.js';
import { escapeHtml, message, page } from '../pages/page-layout.js';
import { defineRoute, type AnyRoute, type Reply } from '../route.js';
import { finishLogin, OidcFailure, startLogin, type LoginState } from './oidc-protocol.js';
import { oidcSettingsRoutes } from './oidc-settings-routes.js';

const HTML = { types: ['text/html'] };
const TITLE = 'Sign in';
/** One answer for every refusal: the reason is in the audit log only (issue 14). */
const REFUSED = 'Signing in with your identity provider did not work. If you should have access, ask your administrator.';
const STATE_MAX_AGE_S = 600;

const isSecure = (req: IncomingMessage): boolean => (req.socket as TLSSocket).encrypted === true;
/** `__Secure-` (RFC 6265bis §4.1.3.1) on HTTPS; Path=/oidc keeps it off every other request. */
const stateCookieName = (secure: boolean): string => (secure ? '__Secure-pgdir_oidc' : 'pgdir_oidc');
const stateCookie = (value: string, maxAge: number, secure: boolean): string =>
  `${stateCookieName(secure)}=${value}; Path=/oidc; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

/**
 * Only a path on this server (no scheme, no `//host`, no backslash tricks, no control characters):
 * anything else would make pgdir an open redirector (RFC 6749 §10.15 / OWASP).
 */
export function safeReturnTo(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return '/';
  // eslint-disable-next-line no-control-regex
  if (value.length > 2000 || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\u0000-\u001f\u007f]/.test(value)) return undefined;
  const parsed = new URL(value, 'http://pgdir.invalid');
  return parsed.origin === 'http://pgdir.invalid' ? `${parsed.pathname}${parsed.search}${parsed.hash}` : undefined;
}

function readState(req: IncomingMessage): LoginState | undefined {
  const raw = cookiesOf(req).get(stateCookieName(isSecure(req)));
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<LoginState>;
    const fields = [parsed.state, parsed.nonce, parsed.verifier, parsed.returnTo, parsed.redirectUri];
    return fields.every((f) => typeof f === 'string') && safeReturnTo(parsed.returnTo) !== undefined ? (parsed as LoginState) : undefined;
  } catch {
    return undefined;
  }
}

/** After the session cookie is set, the browser moves on from a page of ours: a SameSite=Strict cookie is sent only on a same-site navigation. */
function continuePage(returnTo: string, headers: Record<string, string>): Reply {
  const href = escapeHtml(returnTo);
  const reply = page('Signed in', `<meta http-equiv="refresh" content="0;url=${href}">${message('ok', 'You are signed in.')}<p><a href="${href}">Continue</a></p>`);
  return { ...reply, headers: { ...reply.headers, ...headers, 'cache-control': 'no-store' } };
}

const refused = (status = 403): Reply => page(TITLE, message('error', REFUSED), status);

/** OpenID Connect sign-in (issue 14): `/oidc/login` → the provider → `/oidc/callback` → a browser session. */
export function oidcRoutes(api: ApiContext): AnyRoute[] {
  const { store, oidc, lifecycle } = api.directory;
  const redirectUri = async (req: IncomingMessage): Promise<string> => {
    const base = (await lifecycle.mail.publicUrl()) ?? `${isSecure(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
    return `${base}/oidc/callback`;
  };
  const usable = async (): Promise<ActiveOidc | Reply> => {
    const active = await oidc.active();
    if (active === undefined) return page(TITLE, message('error', 'Sign-in with an OpenID Connect provider is not set up.'), 404);
    if (await passwordSignInDisabled(store)) return page(TITLE, message('error', SIGN_IN_WITH_SSO), 403);
    return active;
  };

  return [
    ...oidcSettingsRoutes(api),
    defineRoute({
      method: 'GET', path: '/oidc/login', summary: 'Page: start signing in with the OpenID Connect provider (302 to it)', tag: 'pages', auth: 'none',
      query: z.object({ returnTo: z.string().max(2000).optional().describe('a path on this server to go to afterwards (default /)') }),
      textResponse: HTML,
      errors: { 302: 'the usual answer: to the identity provider, with the sign-in state cookie', 404: 'OpenID Connect sign-in is not set up', 502: 'the identity provider cannot be reached' },
      handle: async ({ req, query, ip }) => {
        const active = await usable();
        if (!('clientId' in active)) return active;
        const returnTo = safeReturnTo(query.returnTo);
        if (returnTo === undefined) return page(TITLE, message('error', 'returnTo must be a path on this server, like /profile.'), 400);
        try {
          const { url, login } = await startLogin(active, await redirectUri(req), returnTo);
          const cookie = stateCookie(Buffer.from(JSON.stringify(login)).toString('base64url'), STATE_MAX_AGE_S, isSecure(req));
          return { status: 302, headers: { location: url.href, 'set-cookie': cookie, 'cache-control': 'no-store' } };
        } catch (error) {
          if (!(error instanceof OidcFailure)) throw error;
          await auditRefusal(store, { source: 'oidc', ip }, error.reason, null);
          return page(TITLE, message('error', 'The identity provider cannot be reached. Try again later.'), 502);
        }
      },
    }),
    defineRoute({
      method: 'GET', path: '/oidc/callback', summary: "Page: the OpenID Connect provider's redirect back (authorization code)", tag: 'pages', auth: 'none',
      query: z.looseObject({ code: z.string().max(4096).optional(), state: z.string().max(1024).optional(), error: z.string().max(200).optional() }),
      textResponse: HTML,
      errors: { 404: 'OpenID Connect sign-in is not set up' },
      handle: async ({ req, ip }) => {
        const active = await usable();
        if (!('clientId' in active)) return active;
        const login = readState(req);
        const clear = { 'set-cookie': stateCookie('', 0, isSecure(req)) };
        const refuse = async (reason: string, email?: string): Promise<Reply> => {
          await auditRefusal(store, { source: 'oidc', ip, ...(email === undefined ? {} : { email }) }, reason, null);
          return { ...refused(), headers: { ...refused().headers, ...clear } };
        };
        if (login === undefined) return refuse('state_missing');
        let claims: Record<string, unknown>;
        try {
          claims = await finishLogin(active, login, new URL(req.url ?? '/', 'http://pgdir.invalid').search);
        } catch (error) {
          if (error instanceof OidcFailure) return refuse(error.reason);
          throw error;
        }
        const { allowedDomains } = await readRegistrationSettings(store);
        const outcome = identityFromClaims(claims, { groupsClaim: active.groupsClaim, allowedDomains, ip });
        if (!outcome.ok) return refuse(outcome.reason, outcome.email);
        const signedIn = await signInWithSso(store, outcome.identity, { builtinGroupNames: oidc.builtinGroupNames });
        if (!signedIn.ok) return { ...refused(), headers: { ...refused().headers, ...clear } }; // audited by signInWithSso
        const session = await issueSession(store, signedIn.user, api.sessionTtlMs);
        // One Set-Cookie per reply: the state cookie is left to expire (10 min); it is useless now,
        // since the provider's code is single use and the next sign-in replaces it.
        return continuePage(login.returnTo, { 'set-cookie': sessionCookie(session.token, session.expiresAt, isSecure(req)) });
      },
    }),
  ];
}
