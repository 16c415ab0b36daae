import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import type { ServiceAccount } from '../../../domain/model.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, checkbox, hidden, input } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, done, notice, page, post, refusal, settingsPage, textarea, when, type PageQuery } from './admin-kit.js';

const PATH = '/settings/service-accounts';

interface State {
  readonly form?: Record<string, string>;
  readonly error?: DirectoryError;
  readonly created?: { account: ServiceAccount; secret: string };
}

const cidrsOf = (text: string): string[] => text.split(/[\s,]+/).map((c) => c.trim()).filter((c) => c !== '').slice(0, 1000);

function row(caller: Caller, account: ServiceAccount): string {
  const cidrs = account.allowedCidrs.length === 0 ? `<span class="muted">${t('sa.anyAllowed')}</span>` : account.allowedCidrs.map(escapeHtml).join('<br>');
  return `<tr><td>${escapeHtml(account.name)}</td><td>${cidrs}</td><td>${account.privileged ? t('common.yes') : t('common.no')}</td><td>${escapeHtml(when(account.createdAt))}</td>
<td><form method="post" action="${PATH}/${encodeURIComponent(account.id)}/delete">${csrfField(caller)}<button type="submit" class="danger" aria-label="${escapeHtml(t('sa.deleteNamed', { name: account.name }))}">${t('sa.delete')}</button></form></td></tr>`;
}

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: State = {}): Promise<Reply> {
  const accounts = await console.api.directory.as(caller.actor).serviceAccounts.list();
  const created = state.created === undefined ? '' : `${alert('ok', t('sa.created', { name: state.created.account.name }))}
<p>${t('sa.secretOnce', { dn: `cn=${state.created.account.name},ou=system` })}</p><p class="secret" id="new-secret">${escapeHtml(state.created.secret)}</p>`;
  const table = accounts.length === 0 ? `<p>${t('sa.none')}</p>` : `<div class="table-wrap"><table><caption>${t('sa.listCaption')}</caption>
<thead><tr><th scope="col">${t('common.name')}</th><th scope="col">${t('sa.cidrs')}</th><th scope="col">${t('sa.privileged')}</th><th scope="col">${t('sa.createdAt')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
<tbody>${accounts.map((a) => row(caller, a)).join('')}</tbody></table></div>`;
  const body = `${notice(query, ['sa.deleted'])}${refusal(state.error)}${created}
<p>${t('sa.intro')}</p>${table}
<h2>${t('sa.add')}</h2>
<form method="post" action="${PATH}">${csrfField(caller)}
${input('name', t('sa.name'), { value: state.form?.['name'], required: true, autocomplete: 'off' })}
${textarea('cidrs', t('sa.cidrs'), state.form?.['cidrs'] ?? '', { rows: 3, hint: t('sa.cidrsHint') })}
${checkbox('privileged', t('sa.privilegedLabel'), state.form?.['privileged'] === '1')}
${button(t('sa.create'))}
</form>`;
  return console.render(caller, settingsPage(PATH, t('sa.title'), body, state.error?.status ?? (state.created === undefined ? 200 : 201)));
}

/** Deleting needs a second, explicit step (works without JavaScript: a page, not a dialog). */
function confirmDelete(console: ConsoleContext, caller: Caller, account: ServiceAccount): Reply {
  const body = `<p>${escapeHtml(t('sa.confirm', { name: account.name }))}</p>
<form method="post" action="${PATH}/${encodeURIComponent(account.id)}/delete" class="actions">${csrfField(caller)}${hidden('confirm', '1')}
${button(t('sa.deleteNamed', { name: account.name }), 'danger')}<a href="${PATH}">${t('common.cancel')}</a></form>`;
  return console.render(caller, settingsPage(PATH, t('sa.confirmTitle'), body));
}

function routes(console: ConsoleContext) {
  const accounts = (caller: Caller) => console.api.directory.as(caller.actor).serviceAccounts;
  return [
    page(PATH, 'service accounts', async ({ caller }, query) => render(console, caller, query)),
    post(PATH, 'add a service account (its secret is shown once)', async ({ caller }, form) => {
      const made = await attempt(() => accounts(caller).create({ name: (form['name'] ?? '').trim().slice(0, 200), allowedCidrs: cidrsOf(form['cidrs'] ?? ''), privileged: form['privileged'] === '1' }));
      return made.ok ? render(console, caller, {}, { created: made.value }) : render(console, caller, {}, { form, error: made.error });
    }),
    post(`${PATH}/:id/delete`, 'delete a service account (after a confirmation step)', async ({ caller, params }, form) => {
      const id = params['id'] ?? '';
      if (form['confirm'] !== '1') return confirmDelete(console, caller, await accounts(caller).get(id));
      const removed = await attempt(() => accounts(caller).remove(id));
      return removed.ok ? done(PATH, 'sa.deleted') : render(console, caller, {}, { error: removed.error });
    }),
  ];
}

export const serviceAccountsFeature: ConsoleFeature = { name: 'settings-service-accounts', routes };
