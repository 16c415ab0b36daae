import { z } from 'zod';
import { DirectoryError } from '../../domain/errors.js';
import { lifecycleMails } from '../../mail/lifecycle-mails.js';
import type { ApiContext } from '../api-context.js';
import { escapeHtml, field, formFields, message, page } from '../pages/page-layout.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply } from '../route.js';

const FORM = { types: ['application/x-www-form-urlencoded'], maxBytes: 16 * 1024 };
const HTML = { types: ['text/html'] };
const TITLE = 'Create your account';
const SENT = 'Check your inbox: if this address may register here, a link to finish is on its way. It works once, for 24 hours.';
const GONE = 'This link is invalid, has expired or was already used. Ask for a new one on the registration page.';
const OFF = 'Registration is not available on this directory.';

const emailForm = (): Reply =>
  page(TITLE, `<form method="post" action="/register">
${field('email', 'Your work email address', 'email', 'email')}
<button type="submit">Send me a link</button>
</form>`);

function accountForm(token: string, email: string, error?: string, username = ''): Reply {
  return page(TITLE, `${error === undefined ? '' : message('error', error)}<p>For ${escapeHtml(email)}</p>
<form method="post" action="/register">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${field('username', 'Username (letters, digits, . and -)', 'text', 'username', username)}
${field('password', 'Password (at least 8 characters)', 'password', 'new-password')}
<button type="submit">Create my account</button>
</form>`, error === undefined ? 200 : 400);
}

/**
 * `/register` (issue 14): only with password sign-in on and SMTP set. An email on an allowed domain
 * gets a verification link; the link's page creates the account. The first form's answer is sent
 * before any lookup or mail, so it is the same, after the same time, for every address.
 */
export function registerPage(api: ApiContext): AnyRoute[] {
  const { registration, mail } = api.directory.lifecycle;
  const requestLink = async (email: string, ip: string): Promise<void> => {
    const issued = await registration.request(email, ip);
    const mailer = issued && (await mail.current());
    if (issued !== undefined && mailer !== undefined) await mailer.send(lifecycleMails.registration(issued.email, issued.link, issued.expiresAt));
  };
  const off = () => page(TITLE, message('error', OFF), 404);
  return [
    defineRoute({
      method: 'GET', path: '/register', summary: 'Page: register with an email on an allowed domain (or, with ?token=, finish)', tag: 'pages', auth: 'none',
      query: z.object({ token: z.string().max(200).optional() }), textResponse: HTML, errors: { 404: 'registration is off', 410: 'the link is invalid, expired or used' },
      handle: async ({ query }) => {
        if (!(await registration.available())) return off();
        if (query.token === undefined) return emailForm();
        const email = await registration.info(query.token);
        return email === undefined ? page(TITLE, message('error', GONE), 410) : accountForm(query.token, email);
      },
    }),
    defineRoute<RawBody>({
      method: 'POST', path: '/register', summary: 'Page: register (form post: an email, or the link\'s token with username and password)', tag: 'pages', auth: 'none', raw: FORM,
      textResponse: HTML, errors: { 404: 'registration is off', 410: 'the link is invalid, expired or used' },
      handle: async ({ body, ip }) => {
        if (!(await registration.available())) return off();
        const form = formFields(body.text);
        const token = form['token'];
        if (token === undefined) {
          // Not awaited: the answer must not wait for the lookup or the mail (same timing for all).
          void requestLink(form['email'] ?? '', ip).catch(() => undefined);
          return page(TITLE, message('ok', SENT));
        }
        const email = await registration.info(token);
        if (email === undefined) return page(TITLE, message('error', GONE), 410);
        try {
          const user = await registration.complete(token, { username: form['username'], password: form['password'] }, ip);
          return page('Welcome', message('ok', `Your account ${user.username ?? ''} is ready. You can now sign in.`));
        } catch (error) {
          if (error instanceof DirectoryError && error.status < 500) return accountForm(token, email, error.message, form['username'] ?? '');
          throw error;
        }
      },
    }),
  ];
}
