import { DirectoryError } from '../../domain/errors.js';
import { qrCodeDataUrl } from '../../directory/lifecycle/qr-png.js';
import type { ApiContext } from '../api-context.js';
import { hashBearerToken } from '../auth/bearer-token.js';
import { login } from '../auth/login.js';
import { escapeHtml, field, formFields, message, page } from '../pages/page-layout.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply } from '../route.js';

const TITLE = 'Set up two-factor authentication';
const FORM = { types: ['application/x-www-form-urlencoded'], maxBytes: 16 * 1024 };
const HTML = { types: ['text/html'] };

function signInForm(error?: string): Reply {
  const body = `${error === undefined ? '' : message('error', error)}
<p>Sign in to add an authenticator app (such as FreeOTP, Aegis or Google Authenticator) to your account.</p>
<form method="post" action="/enroll-2fa">
<input type="hidden" name="step" value="signin">
${field('identifier', 'Username or email', 'text', 'username')}
${field('password', 'Password', 'password', 'current-password')}
<button type="submit">Continue</button>
</form>`;
  return page(TITLE, body, error === undefined ? 200 : 400);
}

async function codeForm(session: string, secret: string, otpauthUrl: string, error?: string): Promise<Reply> {
  const body = `${error === undefined ? '' : message('error', error)}
<p>Scan this code with your authenticator app, or type the key below into it.</p>
<img src="${await qrCodeDataUrl(otpauthUrl)}" alt="QR code of your two-factor key" width="232" height="232">
<p>Key: <code>${escapeHtml(secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>
<form method="post" action="/enroll-2fa">
<input type="hidden" name="step" value="enable">
<input type="hidden" name="session" value="${escapeHtml(session)}">
<input type="hidden" name="secret" value="${escapeHtml(secret)}">
<input type="hidden" name="otpauthUrl" value="${escapeHtml(otpauthUrl)}">
${field('totpToken', 'The 6-digit code the app shows', 'text', 'one-time-code')}
<button type="submit">Turn on two-factor authentication</button>
</form>`;
  return page(TITLE, body, error === undefined ? 200 : 400);
}

/**
 * The enrolment page (DESIGN §7): sign in, scan the QR code, confirm with a code. The page holds a
 * short login session in a hidden field between the two steps and ends it when done.
 */
export function enrolPage(api: ApiContext): AnyRoute[] {
  const { store, hasher, lifecycle } = api.directory;
  const signIn = async (form: Record<string, string>, ip: string): Promise<Reply> => {
    try {
      const session = await login({ store, hasher, throttle: api.throttle, sessionTtlMs: 15 * 60_000, external: api.external, totp: lifecycle.twoFactor }, { identifier: form['identifier'] ?? '', password: form['password'] ?? '' }, ip);
      if (session.user.totpEnabled) return signInForm('Two-factor authentication is already on for this account.');
      const started = await lifecycle.twoFactor.newSecret(session.user);
      return codeForm(session.token, started.secret, started.otpauthUrl);
    } catch (error) {
      if (error instanceof DirectoryError && error.status < 500) {
        return signInForm(error.field === 'totpToken' ? 'Two-factor authentication is already on for this account.' : error.message);
      }
      throw error;
    }
  };
  const enable = async (form: Record<string, string>, ip: string): Promise<Reply> => {
    const hash = hashBearerToken(form['session'] ?? '');
    const token = await store.apiTokens.findByHash(hash);
    const user = token && (await store.getUser(token.userId));
    if (token === undefined || user === undefined || !user.active) return signInForm('The page expired; sign in again.');
    try {
      await lifecycle.twoFactor.enable(user, form['totpToken'] ?? '', ip);
    } catch (error) {
      if (error instanceof DirectoryError && error.status < 500) return codeForm(form['session'] ?? '', form['secret'] ?? '', form['otpauthUrl'] ?? '', error.message);
      throw error;
    }
    await store.apiTokens.deleteByHash(hash);
    return page(TITLE, message('ok', 'Two-factor authentication is on. From now on, sign in with your password and a code from the app.'));
  };
  return [
    defineRoute({ method: 'GET', path: '/enroll-2fa', summary: 'Page: set up two-factor authentication', tag: 'pages', auth: 'none', textResponse: HTML, handle: async () => signInForm() }),
    defineRoute<RawBody>({
      method: 'POST', path: '/enroll-2fa', summary: 'Page: set up two-factor authentication (form post)', tag: 'pages', auth: 'none', raw: FORM,
      textResponse: HTML,
      handle: async ({ body, ip }) => {
        const form = formFields(body.text);
        return form['step'] === 'enable' ? enable(form, ip) : signIn(form, ip);
      },
    }),
  ];
}
