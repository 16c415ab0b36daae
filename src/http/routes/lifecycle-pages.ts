import { z } from 'zod';
import { DirectoryError } from '../../domain/errors.js';
import type { ApiContext } from '../api-context.js';
import { escapeHtml, field, formFields, message, page } from '../pages/page-layout.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply } from '../route.js';

const tokenQuery = z.object({ token: z.string().max(200).optional() });
const FORM = { types: ['application/x-www-form-urlencoded'], maxBytes: 16 * 1024 };
const HTML = { types: ['text/html'] };
const GONE = 'This link is invalid, has expired or was already used. Ask your administrator for a new one.';

const problem = (error: unknown): string => {
  if (error instanceof DirectoryError && error.status < 500) return error.message;
  throw error;
};

function inviteForm(token: string, needsUsername: boolean, error?: string, username = ''): Reply {
  const body = `${error === undefined ? '' : message('error', error)}
<form method="post" action="/accept-invite">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${needsUsername ? field('username', 'Username (letters, digits, . and -)', 'text', 'username', username) : ''}
${field('password', 'Password (at least 8 characters)', 'password', 'new-password')}
<button type="submit">Create my account</button>
</form>`;
  return page('Accept your invite', body, error === undefined ? 200 : 400);
}

function resetForm(token: string, error?: string): Reply {
  const body = `${error === undefined ? '' : message('error', error)}
<form method="post" action="/reset-password">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${field('password', 'New password (at least 8 characters)', 'password', 'new-password')}
<button type="submit">Set the new password</button>
</form>`;
  return page('Reset your password', body, error === undefined ? 200 : 400);
}

/** The pages behind invite and reset links (DESIGN §7): server-rendered forms, no JavaScript. */
export function lifecyclePages(api: ApiContext): AnyRoute[] {
  const { tokens } = api.directory.lifecycle;
  return [
    defineRoute({
      method: 'GET', path: '/accept-invite', summary: 'Page: accept an invite', tag: 'pages', auth: 'none', query: tokenQuery,
      textResponse: HTML,
      handle: async ({ query }) => {
        const info = query.token === undefined ? undefined : await tokens.inviteInfo(query.token);
        return info === undefined ? page('Accept your invite', message('error', GONE), 410) : inviteForm(query.token ?? '', info.username === null);
      },
    }),
    defineRoute<RawBody>({
      method: 'POST', path: '/accept-invite', summary: 'Page: accept an invite (form post)', tag: 'pages', auth: 'none', raw: FORM,
      textResponse: HTML,
      handle: async ({ body, ip }) => {
        const form = formFields(body.text);
        const token = form['token'] ?? '';
        const info = await tokens.inviteInfo(token);
        if (info === undefined) return page('Accept your invite', message('error', GONE), 410);
        try {
          const user = await tokens.acceptInvite(token, { username: form['username'], password: form['password'] ?? '' }, ip);
          return page('Welcome', message('ok', `Your account ${user.username ?? ''} is ready. You can now sign in.`));
        } catch (error) {
          return inviteForm(token, info.username === null, problem(error), form['username']);
        }
      },
    }),
    defineRoute({
      method: 'GET', path: '/reset-password', summary: 'Page: set a new password', tag: 'pages', auth: 'none', query: tokenQuery,
      textResponse: HTML,
      handle: async ({ query }) =>
        query.token !== undefined && (await tokens.resetIsLive(query.token)) ? resetForm(query.token) : page('Reset your password', message('error', GONE), 410),
    }),
    defineRoute<RawBody>({
      method: 'POST', path: '/reset-password', summary: 'Page: set a new password (form post)', tag: 'pages', auth: 'none', raw: FORM,
      textResponse: HTML,
      handle: async ({ body, ip }) => {
        const form = formFields(body.text);
        const token = form['token'] ?? '';
        if (!(await tokens.resetIsLive(token))) return page('Reset your password', message('error', GONE), 410);
        try {
          await tokens.completeReset(token, form['password'] ?? '', ip);
          return page('Password changed', message('ok', 'Your password was changed and every session signed out. You can now sign in.'));
        } catch (error) {
          return resetForm(token, problem(error));
        }
      },
    }),
  ];
}
