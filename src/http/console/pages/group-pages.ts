import { escapeHtml } from '../../../domain/escape-html.js';
import type { User } from '../../../domain/model.js';
import { may } from '../../../domain/permissions.js';
import type { GroupWithMembers } from '../../../directory/groups/group-service.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, hidden, input } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { pageNumber, pager, sourceLabel, refuseUnlessMay } from './page-kit.js';

const PER_PAGE = 50;
const FIND_LIMIT = 20;

/** The Groups page: search by name, one page of groups with their source and member count. */
export async function groupsListPage(console: ConsoleContext, caller: Caller, query: { search?: string | undefined; page?: string | undefined; done?: string | undefined; name?: string | undefined }): Promise<Reply> {
  const needle = (query.search ?? '').trim().toLowerCase();
  const all = (await console.api.directory.groups.listGroupSummaries(caller.actor)).filter((g) => g.name.includes(needle));
  const page = pageNumber(query.page);
  const shown = all.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const rows = shown
    .map((g) => `<tr><td><a href="/groups/${g.id}">${escapeHtml(g.name)}</a></td><td>${escapeHtml(g.description)}</td><td>${sourceLabel(g.source)}</td><td>${g.memberCount}</td></tr>`)
    .join('');
  const table = shown.length === 0 ? `<p>${t('groups.none')}</p>` : `<div class="table-wrap"><table><thead><tr><th scope="col">${t('common.name')}</th><th scope="col">${t('groups.description')}</th><th scope="col">${t('common.source')}</th><th scope="col">${t('groups.members')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  const create = may(caller.actor, 'group.create').allowed ? `<div class="actions"><a class="button" href="/groups/new">${t('groups.new')}</a></div>` : '';
  const notice = query.done === 'deleted' ? alert('ok', t('groups.deleted', { name: query.name ?? '' })) : '';
  const body = `${notice}${create}
<form method="get" action="/groups" class="filters" role="search" hx-get="/groups" hx-trigger="input changed delay:300ms" hx-target="#results" hx-select="#results" hx-swap="outerHTML">
<div><label for="f-search">${t('groups.search')}</label><input id="f-search" name="search" type="search" value="${escapeHtml(query.search ?? '')}"></div>
<div><button type="submit">${t('common.search')}</button></div></form>
<section id="results" aria-live="polite">${table}${pager('/groups', { search: query.search }, page, PER_PAGE, all.length)}</section>`;
  return console.render(caller, { title: t('groups.title'), body, section: '/groups' });
}

export function newGroupForm(console: ConsoleContext, caller: Caller, values: Record<string, string> = {}, error?: string, status = 200): Reply {
  refuseUnlessMay(caller.actor, 'group.create');
  const body = `${error === undefined ? '' : alert('error', error)}
<form method="post" action="/groups/new">${csrfField(caller)}
${input('name', t('groups.name'), { value: values['name'], autocomplete: 'off', required: true })}
${input('description', t('groups.description'), { value: values['description'], autocomplete: 'off' })}
${button(t('groups.create'))}</form><p><a href="/groups">${t('groups.back')}</a></p>`;
  return console.render(caller, { title: t('groups.new'), body, status, section: '/groups' });
}

const memberAction = (caller: Caller, group: GroupWithMembers, user: User, kind: 'add' | 'remove'): string => {
  const name = user.username ?? user.email;
  return `<form method="post" action="/groups/${group.id}/members/${kind}">${csrfField(caller)}${hidden('user', user.id)}${button(t(kind === 'add' ? 'groups.add' : 'groups.remove', { name }), kind === 'add' ? '' : 'secondary')}</form>`;
};

export interface GroupPageView {
  readonly find?: string | undefined;
  readonly page?: string | undefined;
  readonly notice?: string | undefined;
  readonly error?: string | undefined;
  readonly status?: number | undefined;
}

/** The shown members, read a page at a time in one query (the groupMembers use case). */
function memberRows(caller: Caller, group: GroupWithMembers, members: readonly User[], editable: boolean): string {
  if (members.length === 0) return `<p>${t('groups.noMembers')}</p>`;
  const rows = members.map((u) => `<tr><td><a href="/users/${u.id}">${escapeHtml(u.username ?? u.email)}</a></td><td>${escapeHtml(u.email)}</td><td>${editable ? memberAction(caller, group, u, 'remove') : ''}</td></tr>`).join('');
  return `<div class="table-wrap"><table><thead><tr><th scope="col">${t('users.username')}</th><th scope="col">${t('users.email')}</th><th scope="col">${t('common.actions')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

async function finder(console: ConsoleContext, caller: Caller, group: GroupWithMembers, find: string | undefined): Promise<string> {
  const form = `<form method="get" action="/groups/${group.id}" role="search"><label for="f-find">${t('groups.findUser')}</label><input id="f-find" name="find" type="search" value="${escapeHtml(find ?? '')}">${button(t('groups.find'), 'secondary')}</form>`;
  if (find === undefined || find.trim() === '') return form;
  const found = await console.api.directory.users.listUsers({ search: find, limit: FIND_LIMIT }, caller.actor);
  const members = new Set(group.memberIds);
  const candidates = found.users.filter((u) => !members.has(u.id));
  const list = candidates.length === 0 ? `<p>${t('groups.noMatch')}</p>` : `<ul>${candidates.map((u) => `<li>${escapeHtml(u.email)} ${memberAction(caller, group, u, 'add')}</li>`).join('')}</ul>`;
  return `${form}${list}`;
}

/** One group: members (remove), add by search, delete; an external group is shown read-only. */
export async function groupPage(console: ConsoleContext, caller: Caller, ref: string, view: GroupPageView = {}): Promise<Reply> {
  const page = pageNumber(view.page);
  const { group, members } = await console.api.directory.groups.groupMembers(ref, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE }, caller.actor);
  const editable = group.source === 'local' && may(caller.actor, 'group.setMembers').allowed;
  const remove = group.source === 'local' && may(caller.actor, 'group.delete').allowed ? `<p><a class="button danger" href="/groups/${group.id}/delete">${t('groups.delete')}</a></p>` : '';
  const body = `${view.notice === undefined ? '' : alert('ok', view.notice)}${view.error === undefined ? '' : alert('error', view.error)}
<p class="muted">${escapeHtml(group.description)} · ${t('common.source')}: ${sourceLabel(group.source)}</p>
${group.source === 'local' ? '' : `<p>${t('groups.external')}</p>`}
<h2>${t('groups.members')}</h2>${memberRows(caller, group, members, editable)}${pager(`/groups/${group.id}`, {}, page, PER_PAGE, group.memberIds.length)}
${editable ? await finder(console, caller, group, view.find) : ''}
${remove}<p><a href="/groups">${t('groups.back')}</a></p>`;
  return console.render(caller, { title: group.name, body, status: view.status ?? 200, section: '/groups' });
}

export async function deleteGroupPage(console: ConsoleContext, caller: Caller, ref: string): Promise<Reply> {
  const group = await console.api.directory.groups.getGroup(ref, caller.actor);
  const body = `<p>${t('groups.deleteWarning')}</p>
<form method="post" action="/groups/${group.id}/delete">${csrfField(caller)}${button(t('groups.deleteConfirm'), 'danger')}</form>
<p><a href="/groups/${group.id}">${t('common.cancel')}</a></p>`;
  return console.render(caller, { title: t('groups.deleteTitle', { name: group.name }), body, section: '/groups' });
}
