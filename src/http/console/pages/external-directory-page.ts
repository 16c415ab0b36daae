import { actorLabel } from '../../../domain/actor.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { DirectoryError } from '../../../domain/errors.js';
import { assertMay } from '../../../domain/permissions.js';
import type { ApiContext } from '../../api-context.js';
import { hashBearerToken } from '../../auth/bearer-token.js';
import { sessionTokenOf } from '../../auth/session-cookie.js';
import { JobRegistry } from '../../job-registry.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, checkbox, input, select } from '../console-forms.js';
import { alert, csrfField, seeOther } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, done, notice, page, post, refusal, settingsPage, type PageQuery } from './admin-kit.js';
import { CONNECTOR_FIELDS, formToSettings, PROVIDER_CHOICES } from './external-directory-fields.js';
import { reportSection, syncProgress, testResult, type TestResult } from './external-directory-report.js';

const PATH = '/settings/external-directory';
type Connector = NonNullable<ApiContext['connector']>;

interface State {
  readonly form?: Record<string, string>;
  readonly error?: DirectoryError;
  readonly test?: TestResult;
}

const need = (api: ApiContext): Connector => {
  if (api.connector === undefined) throw new DirectoryError('unavailable', t('ext.noConnector'));
  return api.connector;
};

function field(name: string, kind: 'text' | 'bool' | 'select' | 'secret', label: MessageKey, value: unknown, disabled: string, choices?: readonly (readonly [string, string])[]): string {
  const text = value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value);
  if (kind === 'bool') return checkbox(name, t(label), value === true || value === 'true' || value === '1');
  if (kind === 'select') return select(name, t(label), choices ?? [], text);
  if (kind === 'secret') return input(name, t(label), { type: 'password', autocomplete: 'new-password', extra: disabled });
  return input(name, t(label), { value: text, autocomplete: 'off', extra: disabled });
}

function configForm(caller: Caller, settings: Readonly<Record<string, unknown>>, posted: boolean, pinned: boolean): string {
  const disabled = pinned ? ' disabled' : '';
  // A posted form's missing checkbox is "off"; a stored configuration's missing key is the default.
  const valueOf = (name: string, fallback: boolean | undefined): unknown => (name in settings || posted ? settings[name] : fallback);
  const fields = CONNECTOR_FIELDS.map((f) => field(f.name, f.kind, f.label, valueOf(f.name, f.default), disabled, f.name === 'provider' ? PROVIDER_CHOICES : f.choices)).join('\n');
  return `<form method="post" action="${PATH}">${csrfField(caller)}
<p class="muted">${t('ext.presetHint')}</p>
${fields}
${pinned ? `<p class="muted">${t('ext.pinned')}</p>` : button(t('common.save'))}
</form>`;
}

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: State = {}): Promise<Reply> {
  assertMay(caller.actor, 'settings.read');
  const connector = console.api.connector;
  if (connector === undefined) return console.render(caller, settingsPage(PATH, t('ext.title'), `<p>${t('ext.noConnector')}</p>`));
  const [source, status] = await Promise.all([connector.configuration().catch(() => undefined), connector.status()]);
  const settings: Readonly<Record<string, unknown>> = state.form ?? source?.settings ?? { provider: 'other' };
  const actions = source === undefined ? '' : `<div class="actions">
<form method="post" action="${PATH}/test">${csrfField(caller)}${button(t('ext.test'), 'secondary')}</form>
<form method="post" action="${PATH}/sync">${csrfField(caller)}${button(t('ext.sync'))}</form></div>`;
  const body = `${notice(query, ['common.saved'])}${refusal(state.error)}${status.error === undefined ? '' : alert('error', status.error)}
<p>${source === undefined ? t('ext.notConfigured') : escapeHtml(t('ext.configured', { provider: status.provider ?? '', url: status.url ?? '' }))}</p>
${actions}${state.test === undefined ? '' : testResult(state.test)}
<h2>${t('ext.settings')}</h2>${configForm(caller, settings, state.form !== undefined, source?.pinned ?? false)}
${reportSection(status.lastReport, status.running)}`;
  return console.render(caller, settingsPage(PATH, t('ext.title'), body, state.error?.status ?? 200));
}

/** Sync jobs belong to the browser session that started them (job-registry.ts; read in memory). */
const ownerKey = (req: Parameters<typeof sessionTokenOf>[0]): string => hashBearerToken(sessionTokenOf(req) ?? '');

function routes(console: ConsoleContext) {
  const jobs = new JobRegistry();
  return [
    page(PATH, 'external directory: provider, fields, test connection, synchronize, last report', async ({ caller }, query) => render(console, caller, query)),
    post(PATH, 'save the external directory settings', async ({ caller }, form) => {
      assertMay(caller.actor, 'settings.write');
      const saved = await attempt(() => need(console.api).configure(formToSettings(form), actorLabel(caller.actor)));
      return saved.ok ? done(PATH, 'common.saved') : render(console, caller, {}, { form, error: saved.error });
    }),
    post(`${PATH}/test`, 'test the connection to the external directory', async ({ caller }) => {
      assertMay(caller.actor, 'sync.run');
      const tested = await attempt(() => need(console.api).testConnection());
      return tested.ok ? render(console, caller, {}, { test: tested.value }) : render(console, caller, {}, { error: tested.error });
    }),
    post(`${PATH}/sync`, 'start a synchronization (its progress page follows)', async ({ caller, req }) => {
      assertMay(caller.actor, 'sync.run');
      const connector = need(console.api);
      const job = jobs.start('sync', ownerKey(req), async (onProgress) => {
        const { report } = await connector.sync({ trigger: 'console', actor: actorLabel(caller.actor), onProgress });
        return { result: report };
      });
      return seeOther(`${PATH}/sync/${job.id}`);
    }),
    page(`${PATH}/sync/:job`, 'the progress of a synchronization (htmx refreshes it; without JavaScript, reload)', async ({ caller, params, req }) => {
      assertMay(caller.actor, 'sync.run');
      const job = jobs.get(params['job'] ?? '', ownerKey(req));
      if (job === undefined) throw new DirectoryError('not_found', t('ext.noJob'));
      const fragment = syncProgress(job, `${PATH}/sync/${job.id}`);
      if (req.headers['hx-request'] === 'true') return { text: fragment, contentType: 'text/html; charset=utf-8' };
      return console.render(caller, settingsPage(PATH, t('ext.syncTitle'), `${fragment}<p><a href="${PATH}">${t('ext.back')}</a></p>`));
    }),
  ];
}

export const externalDirectoryFeature: ConsoleFeature = { name: 'settings-external-directory', routes };
