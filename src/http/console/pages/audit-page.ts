import type { z } from 'zod';
import type { Actor } from '../../../domain/actor.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { may } from '../../../domain/permissions.js';
import { auditPage, auditQuery } from '../../routes/audit-routes.js';
import type { auditView } from '../../views.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, input, select } from '../console-forms.js';
import { alert } from '../console-layout.js';
import { t } from '../messages.js';
import { page, when, type PageQuery } from './admin-kit.js';

const PATH = '/audit';
const FILTERS = ['actor', 'target', 'action', 'since', 'until'] as const;
const PER_PAGE = ['25', '50', '100', '200'] as const;

/** `2026-12-04T13:00` from a datetime-local field is read as UTC (the page says so), as the API's instants. */
const asInstant = (value: string): string => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.length === 16 ? `${value}:00` : value}Z` : value);

/** The page's query as the API's (the same zod schema validates both). */
function apiQueryOf(query: PageQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = (query[name] ?? '').trim();
    if (value !== '') out[name] = name === 'since' || name === 'until' ? asInstant(value) : value;
  }
  for (const name of ['page', 'perPage'] as const) if ((query[name] ?? '') !== '') out[name] = query[name] ?? '';
  return out;
}

const link = (params: Record<string, string>, extra: Record<string, string | number>): string =>
  `${PATH}?${new URLSearchParams({ ...params, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])) }).toString()}`;

/** A value that filters the list when followed (actor and target ids are long: a link beats copying). */
const filterLink = (params: Record<string, string>, name: 'actor' | 'target' | 'action', value: string | null): string =>
  value === null ? '—' : `<a href="${escapeHtml(link({ ...params, page: '1' }, { [name]: value }))}">${escapeHtml(value)}</a>`;

function table(items: readonly z.infer<typeof auditView>[], params: Record<string, string>): string {
  if (items.length === 0) return `<p>${t('audit.none')}</p>`;
  const rows = items.map((e) => `<tr><td>${escapeHtml(when(e.at))}</td><td>${filterLink(params, 'actor', e.actor)}</td><td>${filterLink(params, 'action', e.action)}</td>
<td>${filterLink(params, 'target', e.target)}</td><td><span class="badge result-${e.result}">${escapeHtml(e.result)}</span></td><td>${escapeHtml(e.ip ?? '—')}</td>
<td><code class="details">${escapeHtml(Object.keys(e.details).length === 0 ? '' : JSON.stringify(e.details).slice(0, 400))}</code></td></tr>`);
  return `<div class="table-wrap"><table><caption>${t('audit.caption')}</caption><thead><tr><th scope="col">${t('audit.at')}</th><th scope="col">${t('audit.actor')}</th><th scope="col">${t('audit.action')}</th><th scope="col">${t('audit.target')}</th><th scope="col">${t('audit.result')}</th><th scope="col">${t('audit.ip')}</th><th scope="col">${t('audit.details')}</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></div>`;
}

function pager(params: Record<string, string>, result: { page: number; perPage: number; total: number; hasMore: boolean }): string {
  const pages = Math.max(1, Math.ceil(result.total / result.perPage));
  const text = t('common.pageOf', { page: result.page, pages, total: result.total });
  const prev = result.page > 1 ? `<a rel="prev" href="${escapeHtml(link(params, { page: result.page - 1 }))}">${t('common.previous')}</a>` : '';
  const next = result.hasMore ? `<a rel="next" href="${escapeHtml(link(params, { page: result.page + 1 }))}">${t('common.next')}</a>` : '';
  return `<nav class="pager" aria-label="${escapeHtml(t('audit.paging'))}">${prev}<span>${escapeHtml(text)}</span>${next}</nav>`;
}

function filterForm(query: PageQuery): string {
  const v = (name: string) => query[name] ?? '';
  return `<form method="get" action="${PATH}" class="filters" role="search" aria-label="${t('audit.filters')}">
${input('actor', t('audit.actor'), { value: v('actor') })}
${input('target', t('audit.target'), { value: v('target') })}
${input('action', t('audit.action'), { value: v('action'), extra: ' placeholder="user.update"' })}
${input('since', t('audit.since'), { value: v('since'), type: 'datetime-local' })}
${input('until', t('audit.until'), { value: v('until'), type: 'datetime-local' })}
${select('perPage', t('audit.perPage'), PER_PAGE.map((n) => [n, n]), v('perPage') || '50')}
${button(t('common.filter'))}
</form>`;
}

function routes(console: ConsoleContext) {
  return [
    page(PATH, 'audit log with filters (actor, target, action, time) and paging', async ({ caller }, query) => {
      const params = apiQueryOf(query);
      const parsed = auditQuery.safeParse(params);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
        const body = `${filterForm(query)}${alert('error', problems.join('; '))}`;
        return console.render(caller, { title: t('audit.title'), body, section: PATH, status: 400 });
      }
      const result = await auditPage(console.api, caller.actor, parsed.data);
      const shown = Object.fromEntries(Object.entries(query).filter(([k, v]) => v !== undefined && v !== '' && k !== 'page')) as Record<string, string>;
      const body = `${filterForm(query)}${table(result.items, shown)}${pager(shown, result)}`;
      return console.render(caller, { title: t('audit.title'), body, section: PATH });
    }),
  ];
}

export const auditFeature: ConsoleFeature = {
  name: 'audit',
  nav: [{ href: PATH, label: t('audit.nav'), order: 60, visible: (actor: Actor) => may(actor, 'audit.read').allowed }],
  routes,
};
