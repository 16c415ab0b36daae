import { escapeHtml } from '../../../domain/escape-html.js';
import { ROLES, type User } from '../../../domain/model.js';
import { may } from '../../../domain/permissions.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, input, select } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, roleLabel, sourceLabel } from './page-kit.js';

export interface EditNotice {
  readonly done?: string | undefined;
  readonly error?: string | undefined;
  /** Extra content shown once at the top (a reset link). */
  readonly extra?: string | undefined;
  readonly status?: number | undefined;
}

const DONE = new Set(['profile', 'role', 'active', 'inactive', 'groups', '2fa', 'created']);

/** A small form posting to one action of this user (each carries the CSRF token). */
const action = (caller: Caller, user: User, path: string, inner: string): string =>
  `<form method="post" action="/users/${user.id}/${path}">${csrfField(caller)}${inner}</form>`;

function profileSection(caller: Caller, user: User): string {
  if (!may(caller.actor, 'user.update', { id: user.id, role: user.role }).allowed) return '';
  return `<section class="panel"><h2>${t('users.profile')}</h2>${action(caller, user, 'profile', `
${input('username', t('users.username'), { value: user.username ?? '', autocomplete: 'off' })}
${input('fullName', t('users.fullName'), { value: user.displayName, autocomplete: 'off' })}
${input('email', t('users.email'), { type: 'email', value: user.email, autocomplete: 'off', required: true })}
${input('fallbackEmail', t('users.fallbackEmail'), { type: 'email', value: user.fallbackEmail ?? '', autocomplete: 'off' })}
${button(t('common.save'))}`)}</section>`;
}

/** Shown only when may() would allow some change of this user's role. */
function roleSection(caller: Caller, user: User): string {
  const roles = ROLES.filter((role) => may(caller.actor, 'user.setRole', { id: user.id, role: user.role, newRole: role }).allowed);
  if (roles.length === 0) return '';
  return `<section class="panel"><h2>${t('users.roleSection')}</h2>${action(caller, user, 'role', `
${select('role', t('users.role'), roles.map((r): [string, string] => [r, roleLabel(r)]), user.role)}${button(t('users.roleSave'))}`)}</section>`;
}

function accessSection(caller: Caller, user: User): string {
  const state = `<p>${user.active ? t('users.isActive') : t('users.isDisabled')}</p>`;
  if (!may(caller.actor, 'user.setActive', { id: user.id, role: user.role }).allowed) return `<section class="panel"><h2>${t('users.access')}</h2>${state}</section>`;
  const toggle = action(caller, user, 'active', `<input type="hidden" name="active" value="${user.active ? '0' : '1'}">${button(user.active ? t('users.disable') : t('users.enable'), user.active ? 'danger' : '')}`);
  return `<section class="panel"><h2>${t('users.access')}</h2>${state}${toggle}</section>`;
}

function groupsSection(caller: Caller, user: User, groups: readonly { id: string; name: string; source: string; member: boolean }[]): string {
  if (!may(caller.actor, 'group.setMembers').allowed) return '';
  if (groups.length === 0) return `<section class="panel"><h2>${t('users.groups')}</h2><p>${t('users.noGroups')}</p></section>`;
  const boxes = groups
    .map((g) => {
      // External groups cannot change here; a member keeps them (a disabled box is not submitted).
      const external = g.source !== 'local';
      const keep = external && g.member ? `<input type="hidden" name="group" value="${g.id}">` : '';
      return `<label class="check" for="g-${g.id}"><input id="g-${g.id}" type="checkbox" name="group" value="${g.id}"${g.member ? ' checked' : ''}${external ? ' disabled' : ''}>${escapeHtml(g.name)}${external ? ` <span class="muted">${t('users.externalGroup')}</span>` : ''}</label>${keep}`;
    })
    .join('');
  return `<section class="panel"><h2>${t('users.groups')}</h2>${action(caller, user, 'groups', `<fieldset><legend>${t('users.groups')}</legend>${boxes}</fieldset>${button(t('users.groupsSave'))}`)}</section>`;
}

function securitySection(caller: Caller, user: User): string {
  const target = { id: user.id, role: user.role };
  const parts: string[] = [`<p>${user.totpEnabled ? t('users.twoFactorOn') : t('users.twoFactorOff')}</p>`];
  if (user.totpEnabled && may(caller.actor, 'user.disableTotp', target).allowed) parts.push(action(caller, user, 'disable-2fa', button(t('users.disable2fa'), 'secondary')));
  const links: string[] = [];
  if (user.source === 'local' && may(caller.actor, 'user.sendLink', target).allowed && user.id !== caller.user.id) {
    links.push(action(caller, user, 'reset-link', button(t('users.resetLink'), 'secondary')));
    links.push(action(caller, user, 'reset-email', button(t('users.resetEmail'), 'secondary')));
  }
  if (may(caller.actor, 'user.impersonate', target).allowed) links.push(action(caller, user, 'impersonate', button(t('users.impersonate'), 'secondary')));
  if (may(caller.actor, 'user.delete', target).allowed) links.push(`<a class="button danger" href="/users/${user.id}/delete">${t('users.delete')}</a>`);
  return `<section class="panel"><h2>${t('users.security')}</h2>${parts.join('')}<div class="actions">${links.join('')}</div></section>`;
}

type Permissions = Awaited<ReturnType<ConsoleContext['api']['directory']['teams']['permissions']>>;

/**
 * The user's organisation level and level in each team (issue 15: "teams and levels"), from
 * grants to them, their groups or everyone; a level is changed on its team's page, where grants live.
 */
function teamsSection(report: Permissions | undefined): string {
  if (report === undefined) return '';
  const rows = report.teams.map((x) => `<tr><td><a href="/teams/${escapeHtml(x.team.id)}">${escapeHtml(x.team.name)}</a></td><td>${escapeHtml(t(`level.${x.level}` as MessageKey))}</td></tr>`).join('');
  const table = rows === '' ? `<p>${t('users.noTeams')}</p>` : `<div class="table-wrap"><table><caption>${t('users.teamsCaption')}</caption>
<thead><tr><th scope="col">${t('profile.team')}</th><th scope="col">${t('profile.level')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  const org = report.organization === null ? '—' : t(`level.${report.organization}` as MessageKey);
  return `<section class="panel"><h2>${t('users.teams')}</h2><p>${t('profile.orgLevel')}: ${escapeHtml(org)}</p>${table}<p class="muted">${t('users.teamsHint')}</p></section>`;
}

/** One user's page: every change is its own small form; sections the caller may not use are left out. */
export async function userEditPage(console: ConsoleContext, caller: Caller, ref: string, notice: EditNotice = {}): Promise<Reply> {
  const { users, groups } = console.api.directory;
  const user = await users.getUser(ref, caller.actor);
  const all = may(caller.actor, 'group.read').allowed ? await groups.listGroupRecords(caller.actor) : [];
  const memberOf = new Set((await groups.groupsOfUser(user.id, caller.actor)).map((g) => g.id));
  const groupRows = all.map((g) => ({ id: g.id, name: g.name, source: g.source, member: memberOf.has(g.id) }));
  // Someone who may not read this user's permissions gets no section (the use case decides).
  const perms = await attempt(() => console.api.directory.teams.permissions(user.id, caller.actor));
  const done = notice.done !== undefined && DONE.has(notice.done) ? alert('ok', t(`done.${notice.done}` as MessageKey)) : '';
  const body = `${done}${notice.error === undefined ? '' : alert('error', notice.error)}${notice.extra ?? ''}
<p class="muted">${escapeHtml(user.email)} · ${roleLabel(user.role)} · ${sourceLabel(user.source)}</p>
${profileSection(caller, user)}${roleSection(caller, user)}${accessSection(caller, user)}${groupsSection(caller, user, groupRows)}${teamsSection(perms.ok ? perms.value : undefined)}${securitySection(caller, user)}
<p><a href="/users">${t('users.back')}</a></p>`;
  return console.render(caller, { title: user.username ?? user.email, body, status: notice.status ?? 200, section: '/users' });
}
