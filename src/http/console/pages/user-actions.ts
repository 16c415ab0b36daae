import { escapeHtml } from '../../../domain/escape-html.js';
import { linkFor, mailResetLink } from '../../routes/lifecycle-routes.js';
import { defineRoute, type AnyRoute, type Caller, type RawBody, type Reply, type RequestContext } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { allOf, button, formOf } from '../console-forms.js';
import { alert, csrfField, seeOther } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt } from './page-kit.js';
import { FORM, HTML } from './sign-in-pages.js';
import { userEditPage } from './user-edit-page.js';

type Ctx = RequestContext<RawBody>;
type Run = (ctx: Ctx, ref: string, form: Record<string, string>) => Promise<Reply>;

/**
 * One POST per change of a user, each calling the use case the API route calls. A refusal (may(),
 * validation, conflict) shows the user's page again with the use case's message and status.
 */
export function userActionRoutes(console: ConsoleContext): AnyRoute[] {
  const { users, lifecycle } = console.api.directory;
  const post = (name: string, summary: string, run: Run): AnyRoute =>
    defineRoute<RawBody>({
      method: 'POST', path: `/users/:id/${name}`, summary: `Console: ${summary}`, tag: 'console', auth: 'user', page: true, raw: FORM, textResponse: HTML,
      handle: async (ctx) => {
        const ref = ctx.params['id'] ?? '';
        const result = await attempt(() => run(ctx, ref, formOf(ctx.body.text)));
        return result.ok ? result.value : userEditPage(console, ctx.caller, ref, { error: result.error.message, status: result.error.status });
      },
    });
  const changed = (ref: string, done: string): Reply => seeOther(`/users/${encodeURIComponent(ref)}?done=${done}`);
  const opt = (form: Record<string, string>, name: string): string | null => (form[name] ?? '').trim() || null;
  return [
    post('profile', "change a user's name and emails", async ({ caller }, ref, form) => {
      const username = opt(form, 'username');
      await users.updateUser(ref, { ...(username === null ? {} : { username }), email: (form['email'] ?? '').trim(), fallbackEmail: opt(form, 'fallbackEmail'), name: opt(form, 'fullName') }, caller.actor);
      return changed(ref, 'profile');
    }),
    post('role', "change a user's role", async ({ caller }, ref, form) => {
      await users.setRole(ref, form['role'] ?? '', caller.actor);
      return changed(ref, 'role');
    }),
    post('active', 'enable or disable a user', async ({ caller }, ref, form) => {
      const active = form['active'] === '1';
      await users.setActive(ref, active, caller.actor);
      return changed(ref, active ? 'active' : 'inactive');
    }),
    post('groups', "replace a user's groups", async ({ caller, body }, ref) => {
      await console.api.directory.as(caller.actor).setUserGroups(ref, allOf(body.text, 'group').slice(0, 10_000));
      return changed(ref, 'groups');
    }),
    post('disable-2fa', "turn off a user's two-factor authentication", async ({ caller, ip }, ref) => {
      await lifecycle.twoFactor.disableFor(ref, caller.actor, ip);
      return changed(ref, '2fa');
    }),
    post('reset-link', 'make a password reset link', async ({ caller, req }, ref) => {
      const issued = await lifecycle.tokens.resetLinkFor(ref, caller.actor);
      const link = linkFor(req, 'reset-password', issued.secret, await lifecycle.mail.publicUrl());
      const extra = `<p>${t('users.resetLinkShown', { expires: issued.expiresAt.toISOString() })}</p><p class="secret">${escapeHtml(link)}</p>`;
      return userEditPage(console, caller, ref, { extra });
    }),
    post('reset-email', 'mail a password reset link', async ({ caller, req }, ref) => {
      const to = await mailResetLink(console.api, req, ref, caller.actor);
      return userEditPage(console, caller, ref, { extra: alert('ok', t('users.resetMailed', { to })) });
    }),
    post('impersonate', 'a temporary password for a user, shown once', async ({ caller, ip }, ref) => {
      const user = await users.getUser(ref, caller.actor);
      const issued = await lifecycle.temporary.impersonate(ref, caller.actor, ip);
      const body = `<p>${escapeHtml(t('users.impersonateShown', { name: user.username ?? user.email, expires: issued.expiresAt.toISOString() }))}</p>
<p class="secret" aria-label="${t('users.impersonateTitle')}">${escapeHtml(issued.secret)}</p><p><a href="/users/${user.id}">${t('users.back')}</a></p>`;
      return console.render(caller, { title: t('users.impersonateTitle'), body, section: '/users' });
    }),
    post('delete', 'delete a user', async ({ caller }, ref) => {
      const user = await users.deleteUser(ref, caller.actor);
      return seeOther(`/users?done=deleted&name=${encodeURIComponent(user.username ?? user.email)}`);
    }),
  ];
}

/** The confirmation page before a delete (the delete itself is the POST above). */
export async function deleteUserPage(console: ConsoleContext, caller: Caller, ref: string): Promise<Reply> {
  const user = await console.api.directory.users.getUser(ref, caller.actor);
  const name = user.username ?? user.email;
  const body = `<p>${t('users.deleteWarning')}</p>
<form method="post" action="/users/${user.id}/delete">${csrfField(caller)}${button(t('users.deleteConfirm'), 'danger')}</form>
<p><a href="/users/${user.id}">${t('common.cancel')}</a></p>`;
  return console.render(caller, { title: t('users.deleteTitle', { name }), body, section: '/users' });
}
