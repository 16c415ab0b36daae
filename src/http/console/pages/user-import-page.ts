import { escapeHtml } from '../../../domain/escape-html.js';
import { readImportFileYielding } from '../../../directory/transfer/import-rows.js';
import { importUsers, type ImportReport } from '../../../directory/transfer/user-import.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, checkbox, select } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, refuseUnlessMay } from './page-kit.js';

export function importForm(console: ConsoleContext, caller: Caller, values: Record<string, string> = {}, result = '', status = 200): Reply {
  refuseUnlessMay(caller.actor, 'users.import');
  const body = `${result}<p>${t('import.intro')}</p>
<form method="post" action="/users/import">${csrfField(caller)}
${select('format', t('import.format'), [['csv', 'CSV'], ['json', 'JSON']], values['format'] ?? 'csv')}
<label for="f-data">${t('import.data')}</label><textarea id="f-data" name="data" required spellcheck="false">${escapeHtml(values['data'] ?? '')}</textarea>
${checkbox('partial', t('import.partial'), values['partial'] === '1')}
${button(t('import.submit'))}
</form><p><a href="/users">${t('users.back')}</a></p>`;
  return console.render(caller, { title: t('import.title'), body, status, section: '/users' });
}

function report(result: ImportReport, atomic: boolean): string {
  const failed = atomic && result.errors.length > 0;
  const summary = failed ? alert('error', t('import.nothing', { count: result.errors.length })) : alert('ok', t('import.created', { count: result.created }));
  if (result.errors.length === 0) return summary;
  const rows = result.errors.map((e) => `<tr><td>${e.row}</td><td>${escapeHtml(e.field)}</td><td>${escapeHtml(e.message)}</td></tr>`).join('');
  return `${summary}<h2>${t('import.problems')}</h2><div class="table-wrap"><table><thead><tr><th scope="col">${t('import.row')}</th><th scope="col">${t('import.field')}</th><th scope="col">${t('import.message')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * Import from pasted CSV or JSON with the API's use case (all-or-nothing unless "partial"), then
 * the per-row report. The pasted text is kept in the form when nothing was imported.
 */
export async function runImport(console: ConsoleContext, caller: Caller, form: Record<string, string>): Promise<Reply> {
  const atomic = form['partial'] !== '1';
  const contentType = form['format'] === 'json' ? 'application/json' : 'text/csv';
  const done = await attempt(async () => importUsers(console.api.directory.store, caller.actor, await readImportFileYielding(contentType, form['data'] ?? ''), atomic ? 'atomic' : 'partial'));
  if (!done.ok) return importForm(console, caller, form, alert('error', done.error.message), done.error.status);
  const failed = atomic && done.value.errors.length > 0;
  return importForm(console, caller, failed ? form : { format: form['format'] ?? 'csv' }, report(done.value, atomic), failed ? 400 : 200);
}
