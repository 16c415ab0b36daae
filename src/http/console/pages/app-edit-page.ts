import type { IncomingMessage } from 'node:http';
import type { AppSummary } from '../../../directory/apps/app-summary.js';
import type { AppUser } from '../../../directory/apps/app-users.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { conflict, type DirectoryError } from '../../../domain/errors.js';
import { may } from '../../../domain/permissions.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, hidden } from '../console-forms.js';
import { csrfField } from '../console-layout.js';
import { sealerOf, type Sealer } from '../sealed-state.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, done, notice, refusal, type PageQuery } from './admin-kit.js';
import { appFields, changesOf, formButtons, valuesFromApp, type AppFormValues } from './app-form-page.js';
import { APPS_PATH, appPath, connectFacts, connectSection, secretPage } from './app-secret-page.js';
import { ruleChoices } from './apps-list-page.js';
import { pageNumber, pager } from './page-kit.js';

/**
 * One application: change its name, description, access and addresses; who has access and why
 * (paged); how to connect; a new secret (after a confirmation page; shown once); delete (after a
 * confirmation page). The use cases of /api/v1/apps decide (may()).
 */
const PER_PAGE = 50;

function why(user: AppUser): string {
  switch (user.reason) {
    case 'admin':
      return t('apps.whyAdmin', { role: user.role });
    case 'everyone':
      return t('apps.whyEveryone');
    case 'group':
      return t('apps.whyGroup', { names: (user.groups ?? []).join(', ') });
    default:
      return t('apps.whyTeam', { names: (user.teams ?? []).join(', ') });
  }
}

function whoSection(app: AppSummary, users: readonly AppUser[], query: PageQuery): string {
  const page = pageNumber(query['page']);
  const shown = users.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const rows = shown.map((u) => `<tr><td>${escapeHtml(u.username)}</td><td>${escapeHtml(u.email)}</td><td>${escapeHtml(why(u))}</td></tr>`).join('');
  const table = users.length === 0 ? `<p>${t('apps.whoNone')}</p>` : `<div class="table-wrap"><table><caption>${t('apps.whoCaption')}</caption>
<thead><tr><th scope="col">${t('apps.user')}</th><th scope="col">${t('apps.email')}</th><th scope="col">${t('apps.why')}</th></tr></thead><tbody>${rows}</tbody></table></div>
${users.length > PER_PAGE ? pager(appPath(app.id), {}, page, PER_PAGE, users.length) : ''}`;
  return `<section aria-labelledby="h-who"><h2 id="h-who">${t('apps.who')}</h2>${table}</section>`;
}

function manageSections(caller: Caller, app: AppSummary, values: AppFormValues, choices: Awaited<ReturnType<typeof ruleChoices>>, error?: DirectoryError): string {
  if (!may(caller.actor, 'app.manage').allowed) return '';
  const base = appPath(app.id);
  return `<section aria-labelledby="h-settings"><h2 id="h-settings">${t('apps.settings')}</h2>
<form method="post" action="${base}" novalidate>${csrfField(caller)}${appFields(values, choices, error)}${formButtons(t('apps.save'))}</form></section>
<section aria-labelledby="h-rotate"><h2 id="h-rotate">${t('apps.rotate')}</h2><p>${t('apps.rotateIntro')}</p>
<form method="post" action="${base}/secret">${csrfField(caller)}${button(t('apps.rotate'), 'danger')}</form></section>
<section aria-labelledby="h-delete"><h2 id="h-delete">${t('apps.delete')}</h2>
<form method="post" action="${base}/delete">${csrfField(caller)}${button(t('apps.deleteNamed', { name: app.name }), 'danger')}</form></section>`;
}

export async function appPage(console: ConsoleContext, caller: Caller, req: IncomingMessage, ref: string, query: PageQuery, state: { values?: AppFormValues; error?: DirectoryError } = {}): Promise<Reply> {
  const apps = console.api.directory.apps.as(caller.actor);
  const { app, users } = await apps.users(ref);
  const choices = await ruleChoices(console, caller);
  const values = state.values ?? valuesFromApp(app, choices.teams);
  const body = `${notice(query, ['common.saved'])}${refusal(state.error)}<p><a href="${APPS_PATH}">${t('apps.back')}</a></p>
${connectFacts(app)}${connectSection(console, req, app)}
${manageSections(caller, app, values, choices, state.error)}
${whoSection(app, users, query)}`;
  return console.render(caller, { title: t('apps.appTitle', { name: app.name }), body, section: APPS_PATH, status: state.error?.status ?? 200 });
}

export async function saveApp(console: ConsoleContext, caller: Caller, req: IncomingMessage, ref: string, values: AppFormValues): Promise<Reply> {
  const saved = await attempt(() => console.api.directory.apps.as(caller.actor).update(ref, changesOf(values)));
  if (!saved.ok && saved.error.kind === 'forbidden') throw saved.error;
  return saved.ok ? done(appPath(saved.value.id), 'common.saved') : appPage(console, caller, req, ref, {}, { values, error: saved.error });
}

const stampSealers = new WeakMap<ConsoleContext, Sealer>();

/** The rotate stamp's sealer, keyed from the daemon's secret so that any replica opens it. */
function stampSealer(console: ConsoleContext): Sealer {
  let sealer = stampSealers.get(console);
  if (sealer === undefined) {
    sealer = sealerOf(() => console.api.directory.deriveKey('console app rotate stamp v1'));
    stampSealers.set(console, sealer);
  }
  return sealer;
}

/** A confirmation page: `confirm=1` and, for rotate, a sealed stamp of the app as it was shown. */
async function confirmPage(console: ConsoleContext, caller: Caller, app: AppSummary, tail: 'secret' | 'delete'): Promise<Reply> {
  const [title, text, action]: MessageKey[] = tail === 'secret' ? ['apps.rotateTitle', 'apps.rotateIntro', 'apps.rotateConfirm'] : ['apps.deleteTitle', 'apps.deleteWarning', 'apps.deleteNamed'];
  const stamp = tail === 'secret' ? hidden('stamp', await stampSealer(console).seal({ id: app.id, updatedAt: app.updatedAt }, 15 * 60_000)) : '';
  const body = `<p>${escapeHtml(t(text as MessageKey))}</p>
<form method="post" action="${appPath(app.id)}/${tail}" class="actions">${csrfField(caller)}${hidden('confirm', '1')}${stamp}
${button(t(action as MessageKey, { name: app.name }), 'danger')}<a href="${appPath(app.id)}">${t('common.cancel')}</a></form>`;
  return console.render(caller, { title: t(title as MessageKey, { name: app.name }), body, section: APPS_PATH });
}

/**
 * Rotate after the confirmation. The stamp names the app and its `updatedAt` when the page was
 * shown, so re-sending the same form (a browser reload) rotates nothing a second time.
 */
export async function rotatePost(console: ConsoleContext, caller: Caller, req: IncomingMessage, ref: string, form: Record<string, string>): Promise<Reply> {
  const apps = console.api.directory.apps.as(caller.actor);
  const app = await apps.get(ref);
  if (form['confirm'] !== '1') return confirmPage(console, caller, app, 'secret');
  const stamp = await stampSealer(console).open<{ id: string; updatedAt: string }>(form['stamp'] ?? '');
  if (stamp?.id !== app.id || stamp.updatedAt !== app.updatedAt) {
    return appPage(console, caller, req, app.id, {}, { error: conflict(t('apps.rotateStale')) });
  }
  const rotated = await attempt(() => apps.rotate(app.id));
  return rotated.ok ? secretPage(console, caller, req, rotated.value.app, rotated.value.secret, true) : appPage(console, caller, req, app.id, {}, { error: rotated.error });
}

export async function deletePost(console: ConsoleContext, caller: Caller, req: IncomingMessage, ref: string, form: Record<string, string>): Promise<Reply> {
  const apps = console.api.directory.apps.as(caller.actor);
  if (form['confirm'] !== '1') {
    return confirmPage(console, caller, await apps.get(ref), 'delete');
  }
  const removed = await attempt(() => apps.remove(ref));
  return removed.ok ? done(APPS_PATH, 'apps.deleted') : appPage(console, caller, req, ref, {}, { error: removed.error });
}
