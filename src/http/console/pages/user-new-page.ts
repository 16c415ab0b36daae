import type { IncomingMessage } from 'node:http';
import { escapeHtml } from '../../../domain/escape-html.js';
import { ROLES, type Role } from '../../../domain/model.js';
import { may } from '../../../domain/permissions.js';
import type { Actor } from '../../../domain/actor.js';
import { inviteLinkOf } from '../../routes/lifecycle-routes.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, input, select } from '../console-forms.js';
import { alert, csrfField, seeOther } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, roleLabel, refuseUnlessMay } from './page-kit.js';

/** The roles `actor` may give when creating a user (may() decides; `user` is always among them). */
export const creatableRoles = (actor: Actor): Role[] => ROLES.filter((role) => may(actor, 'user.create', { newRole: role }).allowed);

export function newUserForm(console: ConsoleContext, caller: Caller, values: Record<string, string> = {}, error?: string, status = 200): Reply {
  refuseUnlessMay(caller.actor, 'user.create');
  const roles = creatableRoles(caller.actor);
  // With one choice there is nothing to choose: the control is left out, not disabled.
  const roleControl = roles.length > 1 ? select('role', t('users.role'), roles.map((r): [string, string] => [r, roleLabel(r)]), values['role'] ?? 'user') : '';
  const invite = values['how'] !== 'password';
  const body = `${error === undefined ? '' : alert('error', error)}
<form method="post" action="/users/new">${csrfField(caller)}
${input('email', t('users.email'), { type: 'email', value: values['email'], autocomplete: 'off', required: true })}
${input('username', t('users.usernameOptional'), { value: values['username'], autocomplete: 'off' })}
${input('fullName', t('users.fullName'), { value: values['fullName'], autocomplete: 'off' })}
${input('fallbackEmail', t('users.fallbackEmail'), { type: 'email', value: values['fallbackEmail'], autocomplete: 'off' })}
${roleControl}
<fieldset><legend>${t('users.howIn')}</legend>
<label class="check" for="f-how-invite"><input id="f-how-invite" type="radio" name="how" value="invite"${invite ? ' checked' : ''}>${t('users.viaInvite')}</label>
<label class="check" for="f-how-password"><input id="f-how-password" type="radio" name="how" value="password"${invite ? '' : ' checked'}>${t('users.viaPassword')}</label>
${input('password', t('users.password'), { type: 'password', autocomplete: 'new-password' })}
</fieldset>
${button(t('users.create'))}
</form>`;
  return console.render(caller, { title: t('users.new'), body, status, section: '/users' });
}

/**
 * Creates the user with the same use case as POST /api/v1/users. A forged `role` is passed on as
 * sent: the use case (may()) refuses what the form did not offer.
 */
export async function createUser(console: ConsoleContext, caller: Caller, req: IncomingMessage, form: Record<string, string>): Promise<Reply> {
  const { users } = console.api.directory;
  const withPassword = form['how'] === 'password';
  const opt = (name: string): string | null => (form[name] ?? '').trim() || null;
  const role = form['role'] ?? 'user';
  const created = await attempt(() =>
    users.addUser(
      { username: opt('username'), email: (form['email'] ?? '').trim(), fallbackEmail: opt('fallbackEmail'), name: opt('fullName'), role, ...(withPassword ? { password: form['password'] ?? '' } : {}) },
      caller.actor,
    ),
  );
  if (!created.ok) return newUserForm(console, caller, form, created.error.message, created.error.status);
  const user = created.value;
  if (withPassword || user.source !== 'local') return seeOther(`/users/${user.id}?done=created`);
  const invite = await inviteLinkOf(console.api, req, user.id, caller.actor);
  const body = `${alert('ok', t('users.created', { name: user.username ?? user.email }))}
<p>${t('users.inviteLink')}</p><p class="secret">${escapeHtml(invite.inviteLink)}</p>
${invite.inviteEmailSent === true ? `<p>${t('users.inviteMailed')}</p>` : ''}
<p><a href="/users/${user.id}">${escapeHtml(user.email)}</a> · <a href="/users">${t('users.back')}</a></p>`;
  return console.render(caller, { title: t('users.new'), body, status: 201, section: '/users' });
}
