import { z } from 'zod';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { User } from '../../../domain/model.js';
import { may } from '../../../domain/permissions.js';
import { ROLES } from '../../../domain/model.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { select } from '../console-forms.js';
import { alert } from '../console-layout.js';
import { t } from '../messages.js';
import { isRole, pageNumber, pager, roleLabel, sourceLabel } from './page-kit.js';

export const PER_PAGE = 50;
const text = z.string().max(200).optional();
export const usersQuery = z.object({ search: text, role: text, active: text, source: text, page: text, done: text, name: text });
type UsersQuery = z.infer<typeof usersQuery>;

function row(user: User): string {
  const name = user.username ?? t('users.invited');
  return `<tr><td><a href="/users/${user.id}">${escapeHtml(name)}</a></td><td>${escapeHtml(user.displayName)}</td><td>${escapeHtml(user.email)}</td>
<td>${roleLabel(user.role)}</td><td>${user.active ? t('users.activeYes') : t('users.activeNo')}</td><td>${sourceLabel(user.source)}</td><td>${user.totpEnabled ? t('common.yes') : t('common.no')}</td></tr>`;
}

function filters(query: UsersQuery): string {
  const any: [string, string] = ['', t('common.any')];
  // htmx (when it runs) refreshes the results as one types; without it, the Filter button submits.
  return `<form method="get" action="/users" class="filters" role="search" hx-get="/users" hx-trigger="input changed delay:300ms, change" hx-target="#results" hx-select="#results" hx-swap="outerHTML">
<div><label for="f-search">${t('users.search')}</label><input id="f-search" name="search" type="search" value="${escapeHtml(query.search ?? '')}"></div>
<div>${select('role', t('users.role'), [any, ...ROLES.map((r): [string, string] => [r, roleLabel(r)])], query.role)}</div>
<div>${select('active', t('users.status'), [any, ['true', t('users.activeYes')], ['false', t('users.activeNo')]], query.active)}</div>
<div>${select('source', t('common.source'), [any, ['local', sourceLabel('local')], ['ldap', sourceLabel('ldap')]], query.source)}</div>
<div><button type="submit">${t('common.filter')}</button></div>
</form>`;
}

function toolbar(caller: Caller): string {
  const links: string[] = [];
  if (may(caller.actor, 'user.create').allowed) links.push(`<a class="button" href="/users/new">${t('users.new')}</a>`);
  if (may(caller.actor, 'users.import').allowed) links.push(`<a class="button secondary" href="/users/import">${t('users.import')}</a>`);
  if (may(caller.actor, 'users.export').allowed) {
    links.push(`<a class="button secondary" href="/api/v1/users/export?format=csv" download>${t('users.exportCsv')}</a>`);
    links.push(`<a class="button secondary" href="/api/v1/users/export?format=json" download>${t('users.exportJson')}</a>`);
  }
  return `<div class="actions">${links.join('')}</div>`;
}

/**
 * The Users page: filters, one page of users. The listing use case gives GET /api/v1/users's
 * answer, from the daemon's in-memory view once it reflects the store's latest revision (fast at
 * 100,000 users; directory/users/user-listing.ts), else from the store.
 */
export async function usersListPage(console: ConsoleContext, caller: Caller, query: UsersQuery): Promise<Reply> {
  const page = pageNumber(query.page);
  const active = query.active === 'true' ? true : query.active === 'false' ? false : undefined;
  const source = query.source === 'local' || query.source === 'ldap' ? query.source : undefined;
  const filter = { search: query.search, role: isRole(query.role) ? query.role : undefined, active, source };
  const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''));
  const result = await console.api.directory.listing.listUsers({ ...defined, limit: PER_PAGE, offset: (page - 1) * PER_PAGE }, caller.actor);
  const kept = { search: query.search, role: query.role, active: query.active, source: query.source };
  const notice = query.done === 'deleted' ? alert('ok', t('users.deleted', { name: query.name ?? '' })) : '';
  const rows = result.users.map(row).join('');
  const table = result.users.length === 0 ? `<p>${t('users.none')}</p>` : `<div class="table-wrap"><table><caption class="muted">${t('common.pageOf', { page, pages: Math.max(1, Math.ceil(result.total / PER_PAGE)), total: result.total })}</caption>
<thead><tr><th scope="col">${t('users.username')}</th><th scope="col">${t('users.fullName')}</th><th scope="col">${t('users.email')}</th><th scope="col">${t('users.role')}</th><th scope="col">${t('users.status')}</th><th scope="col">${t('common.source')}</th><th scope="col">${t('users.twoFactor')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const body = `${notice}${toolbar(caller)}${filters(query)}
<section id="results" aria-live="polite">${table}${pager('/users', kept, page, PER_PAGE, result.total)}</section>`;
  return console.render(caller, { title: t('users.title'), body, section: '/users' });
}
