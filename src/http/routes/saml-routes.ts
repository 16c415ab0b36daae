import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createSamlSignIn, MAX_SAML_RESPONSE_BYTES, type SamlStart } from '../../directory/sso/saml-sign-in.js';
import { isSafeReturnTo } from '../../directory/sso/saml-return-to.js';
import { DirectoryError } from '../../domain/errors.js';
import type { ApiContext } from '../api-context.js';
import { issueSession } from '../auth/login.js';
import { sessionCookie } from '../auth/session-cookie.js';
import { escapeHtml, formFields, message, page } from '../pages/page-layout.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply } from '../route.js';
import { isTls, requestOrigin } from './saml-origin.js';

const HTML = { types: ['text/html'] };
const NOT_REGISTERED = 'Your identity provider signed you in, but your email address is not registered in this directory, and its domain is not open for self-registration. Ask your administrator to add you.';
const FAILED = 'Single sign-on did not succeed. Start again from the sign-in page; if it keeps failing, tell your administrator the time it happened.';
const NO_STORE = { 'cache-control': 'no-store' };

/** A page for errors a browser sees (SAML disabled, bad returnTo) instead of JSON. */
const pageError = (error: unknown): Reply => {
  if (!(error instanceof DirectoryError) || error.status >= 500) throw error;
  return page('Single sign-on', message('error', error.message), error.status);
};

/**
 * The HTTP-POST binding (SAML Bindings §3.5.4): a form the browser posts to the IdP. One inline
 * script, allowed by its nonce, submits it; without scripts the button does.
 */
function postForm(start: Extract<SamlStart, { binding: 'post' }>): Reply {
  const nonce = randomBytes(16).toString('base64');
  const inputs = Object.entries(start.fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const body = `<form id="saml" method="post" action="${escapeHtml(start.url)}">${inputs}<button type="submit">Continue to your identity provider</button></form>
<script nonce="${nonce}">document.getElementById('saml').submit()</script>`;
  const reply = page('Single sign-on', body);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action ${new URL(start.url).origin}; frame-ancestors 'none'`;
  return { ...reply, headers: { ...reply.headers, ...NO_STORE, 'content-security-policy': csp } };
}

/**
 * After a good assertion: the session cookie and a same-site hop to returnTo. Not a 302: the ACS
 * request is a cross-site POST from the IdP, and a redirect from it keeps that cross-site context,
 * so browsers would not send the SameSite=Strict cookie with the first page (RFC 6265bis §5.2).
 */
function signedIn(returnTo: string, cookie: string): Reply {
  const href = escapeHtml(returnTo);
  const reply = page('Signed in', `<meta http-equiv="refresh" content="0;url=${href}">${message('ok', 'You are signed in.')}<p><a href="${href}">Continue</a></p>`);
  return { ...reply, headers: { ...reply.headers, ...NO_STORE, 'set-cookie': cookie } };
}

/** SAML 2.0 service provider (issue 14): SP metadata, SP-initiated login, the assertion consumer service. */
export function samlRoutes(api: ApiContext): AnyRoute[] {
  const { store } = api.directory;
  const saml = createSamlSignIn({ store, pinnedMetadata: api.pinned.samlMetadata });
  return [
    defineRoute({
      method: 'GET', path: '/saml/metadata', summary: "pgdir's SAML service provider metadata (give it to the identity provider)", tag: 'sso', auth: 'none',
      textResponse: { types: ['application/samlmetadata+xml'] },
      handle: async ({ req }) => ({ text: await saml.metadata(requestOrigin(req)), contentType: 'application/samlmetadata+xml; charset=utf-8' }),
    }),
    defineRoute({
      method: 'GET', path: '/saml/login', summary: 'Start SAML single sign-on; returnTo (a path on this server) is where the browser lands afterwards', tag: 'sso', auth: 'none',
      query: z.object({ returnTo: z.string().max(1000).optional().describe('a relative path such as /profile') }),
      textResponse: HTML,
      errors: { 302: 'the usual answer: to the identity provider (HTTP-Redirect binding); 200 is the HTTP-POST binding form', 404: 'SAML single sign-on is not enabled' },
      handle: async ({ req, query }) => {
        try {
          if (query.returnTo !== undefined && !isSafeReturnTo(query.returnTo)) throw new DirectoryError('invalid', 'returnTo must be a path on this server, like /profile', { field: 'returnTo' });
          const start = await saml.start(requestOrigin(req), query.returnTo ?? '/');
          return start.binding === 'redirect' ? { status: 302, headers: { location: start.url, ...NO_STORE } } : postForm(start);
        } catch (error) {
          return pageError(error);
        }
      },
    }),
    defineRoute<RawBody>({
      method: 'POST', path: '/omniauth/saml/callback', summary: 'SAML assertion consumer service (HTTP-POST binding): signs the person in and sets the session cookie', tag: 'sso', auth: 'none',
      raw: { types: ['application/x-www-form-urlencoded'], maxBytes: MAX_SAML_RESPONSE_BYTES + 4096 },
      textResponse: HTML,
      errors: { 404: 'SAML single sign-on is not enabled' },
      handle: async ({ req, body, ip }) => {
        try {
          const form = formFields(body.text);
          const result = await saml.consume(requestOrigin(req), { SAMLResponse: form['SAMLResponse'], RelayState: form['RelayState'] }, ip);
          if (!result.ok) return page(result.outcome === 'not_registered' ? 'Not registered' : 'Single sign-on failed', message('error', result.outcome === 'not_registered' ? NOT_REGISTERED : FAILED), 403);
          const session = await issueSession(store, result.user, api.sessionTtlMs);
          return signedIn(result.returnTo, sessionCookie(session.token, session.expiresAt, isTls(req)));
        } catch (error) {
          return pageError(error);
        }
      },
    }),
  ];
}
