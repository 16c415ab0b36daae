import type { IncomingMessage } from 'node:http';
import type { AppSummary } from '../../../directory/apps/app-summary.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import { may } from '../../../domain/permissions.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { csrfField } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, notice, refusal, type PageQuery } from './admin-kit.js';
import { appFields, changesOf, EMPTY_VALUES, formButtons, type AppFormValues, type Choices } from './app-form-page.js';
import { APPS_PATH, appPath, secretPage } from './app-secret-page.js';

/**
 * The applications list (name, description, access, addresses, how many users have access: counted
 * in the in-memory view, one bit read per user and application; the column is left out when no
 * view answers) and the "new application" form. Reads and changes go through the same use cases as
 * /api/v1/apps (app.read / app.manage in may()).
 */

/** "everyone", "nobody but administrators", or the groups and team levels of the rule. */
export function accessSummary(app: AppSummary): string {
  const { everyone, groups, teams } = app.access;
  if (everyone) return t('apps.summaryEveryone');
  if (groups.length === 0 && teams.length === 0) return t('apps.summaryNobody');
  const parts: string[] = [];
  if (groups.length > 0) parts.push(t('apps.summaryGroups', { names: groups.map((g) => g.name).join(', ') }));
  if (teams.length > 0) parts.push(t('apps.summaryTeams', { rules: teams.map((r) => `${r.team} ≥ ${t(`level.${r.level}` as MessageKey)}`).join(', ') }));
  return parts.join('; ');
}

export const cidrList = (cidrs: readonly string[]): string =>
  cidrs.length === 0 ? `<span class="muted">${t('apps.anyAddress')}</span>` : cidrs.map(escapeHtml).join('<br>');

function row(app: AppSummary, counts: ReadonlyMap<string, number> | undefined): string {
  // An application made between the two reads has no count yet: an empty cell.
  const users = counts === undefined ? '' : `<td>${counts.get(app.id) ?? ''}</td>`;
  return `<tr><td><a href="${appPath(app.id)}">${escapeHtml(app.name)}</a></td><td>${escapeHtml(app.description)}</td><td>${escapeHtml(accessSummary(app))}</td><td>${cidrList(app.allowedCidrs)}</td>${users}</tr>`;
}

export async function listPage(console: ConsoleContext, caller: Caller, query: PageQuery): Promise<Reply> {
  const apps = console.api.directory.apps.as(caller.actor);
  const [list, counts] = await Promise.all([apps.list(), apps.userCounts()]);
  const countHead = counts === undefined ? '' : `<th scope="col">${t('apps.userCount')}</th>`;
  const table = list.length === 0 ? `<p>${t('apps.none')}</p>` : `<div class="table-wrap"><table><caption>${t('apps.caption')}</caption>
<thead><tr><th scope="col">${t('common.name')}</th><th scope="col">${t('apps.description')}</th><th scope="col">${t('apps.access')}</th><th scope="col">${t('apps.cidrs')}</th>${countHead}</tr></thead>
<tbody>${list.map((app) => row(app, counts)).join('')}</tbody></table></div>`;
  const add = may(caller.actor, 'app.manage').allowed ? `<p><a class="button" href="${APPS_PATH}/new">${t('apps.new')}</a></p>` : '';
  const body = `${notice(query, ['apps.deleted'])}<p>${t('apps.intro')}</p>${add}${table}`;
  return console.render(caller, { title: t('apps.title'), body, section: APPS_PATH });
}

/** The groups and teams the access rule may name (the pickers' choices). */
export async function ruleChoices(console: ConsoleContext, caller: Caller): Promise<Choices> {
  const { groups, teams } = console.api.directory;
  const [g, tm] = await Promise.all([groups.listGroupRecords(caller.actor), teams.listTeams(caller.actor)]);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { groups: g.map((x) => ({ id: x.id, name: x.name })).sort(byName), teams: tm.map((x) => ({ id: x.id, name: x.name })).sort(byName) };
}

export async function newPage(console: ConsoleContext, caller: Caller, values: AppFormValues = EMPTY_VALUES, error?: DirectoryError): Promise<Reply> {
  const body = `${refusal(error)}<p><a href="${APPS_PATH}">${t('apps.back')}</a></p>
<form method="post" action="${APPS_PATH}/new" novalidate>${csrfField(caller)}
${appFields(values, await ruleChoices(console, caller), error)}
${formButtons(t('apps.create'))}
</form>`;
  return console.render(caller, { title: t('apps.new'), body, section: APPS_PATH, status: error?.status ?? 200 });
}

/** Creates the app with the same use case as POST /api/v1/apps; the answer shows its secret once. */
export async function createApp(console: ConsoleContext, caller: Caller, req: IncomingMessage, values: AppFormValues): Promise<Reply> {
  const made = await attempt(() => console.api.directory.apps.as(caller.actor).create(changesOf(values)));
  if (!made.ok && made.error.kind === 'forbidden') throw made.error;
  if (!made.ok) return newPage(console, caller, values, made.error);
  return secretPage(console, caller, req, made.value.app, made.value.secret, false);
}
