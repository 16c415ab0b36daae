import type { AppPassword } from '../../../directory/auth/app-passwords.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, input } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, done, notice, page, post, refusal, when, type PageQuery } from './admin-kit.js';

/**
 * App passwords (issue 14) on the profile: LDAP bind passwords for devices and programs, the
 * password shown once on the answer to the create form (never stored, never shown again), revoke.
 * The same use cases as /api/v1/profile/app-passwords.
 */
const PATH = '/profile/app-passwords';
interface State {
  readonly form?: Record<string, string>;
  readonly error?: DirectoryError;
  readonly created?: { record: AppPassword; password: string };
}

function row(caller: Caller, p: AppPassword): string {
  return `<tr><td>${escapeHtml(p.name)}</td><td>${escapeHtml(when(p.createdAt))}</td><td>${p.lastUsedAt === null ? t('apppw.never') : escapeHtml(when(p.lastUsedAt))}</td>
<td><form method="post" action="${PATH}/${encodeURIComponent(p.id)}/revoke">${csrfField(caller)}<button type="submit" class="danger" aria-label="${escapeHtml(t('apppw.revokeNamed', { name: p.name }))}">${t('apppw.revoke')}</button></form></td></tr>`;
}

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: State = {}): Promise<Reply> {
  const list = await console.api.directory.appPasswords.list(caller.user.id, caller.actor);
  const created = state.created === undefined ? '' : `${alert('ok', t('apppw.created', { name: state.created.record.name }))}
<p>${t('apppw.once')}</p><p class="secret" id="new-app-password">${escapeHtml(state.created.password)}</p>`;
  const table = list.length === 0 ? `<p>${t('apppw.none')}</p>` : `<div class="table-wrap"><table><caption>${t('apppw.caption')}</caption>
<thead><tr><th scope="col">${t('common.name')}</th><th scope="col">${t('apppw.createdAt')}</th><th scope="col">${t('apppw.lastUsed')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
<tbody>${list.map((p) => row(caller, p)).join('')}</tbody></table></div>`;
  const body = `${notice(query, ['apppw.revoked'])}${refusal(state.error)}${created}
<p><a href="/profile">${t('apppw.back')}</a></p><p>${t('apppw.intro')}</p>${table}
<h2>${t('apppw.add')}</h2>
<form method="post" action="${PATH}">${csrfField(caller)}
${input('name', t('apppw.name'), { value: state.form?.['name'], required: true, autocomplete: 'off', extra: ' maxlength="100"' })}
${button(t('apppw.create'))}
</form>`;
  return console.render(caller, { title: t('apppw.title'), body, section: '/profile', status: state.error?.status ?? (state.created === undefined ? 200 : 201) });
}

function routes(console: ConsoleContext) {
  const { appPasswords } = console.api.directory;
  return [
    page(PATH, 'your app passwords', async ({ caller }, query) => render(console, caller, query)),
    post(PATH, 'make an app password (shown once)', async ({ caller, ip }, form) => {
      const made = await attempt(() => appPasswords.create(caller.actor, (form['name'] ?? '').trim().slice(0, 200), ip));
      return made.ok ? render(console, caller, {}, { created: made.value }) : render(console, caller, {}, { form, error: made.error });
    }),
    post(`${PATH}/:id/revoke`, 'revoke one of your app passwords', async ({ caller, ip, params }) => {
      const revoked = await attempt(() => appPasswords.revoke(caller.user.id, params['id'] ?? '', caller.actor, ip));
      return revoked.ok ? done(PATH, 'apppw.revoked') : render(console, caller, {}, { error: revoked.error });
    }),
  ];
}

export const appPasswordsFeature: ConsoleFeature = { name: 'app-passwords', routes };
