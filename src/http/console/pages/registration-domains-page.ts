import { domainToUnicode } from 'node:url';
import { normaliseDomain } from '../../../directory/sso/allowed-domains.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, done, notice, page, post, textarea, type PageQuery } from './admin-kit.js';
import { DOMAINS_PATH, ssoTabs } from './sso-tabs.js';

/**
 * Allowed domains of self-registration ("Global permissions" of the brief; issue 14): one domain
 * per line, every bad line listed by number and nothing saved, internationalised names shown in
 * both forms. The same use cases as GET/PUT /api/v1/settings/registration — pgdir admins, owners
 * and organisation admins (sso.read / sso.write).
 */
const MAX_TEXT = 256 * 1024;

/** The non-empty lines, with their line numbers (1-based) for the error list. */
const linesOf = (text: string): { line: number; value: string }[] =>
  text.split(/\r?\n/).flatMap((value, i) => (value.trim() === '' ? [] : [{ line: i + 1, value: value.trim() }]));

/** Every bad line, by the same check the use case applies to each domain (allowed-domains.ts). */
export function domainProblems(text: string): string[] {
  return linesOf(text).flatMap(({ line, value }) => {
    try {
      normaliseDomain(value, 'domain');
      return [];
    } catch (error) {
      return [t('domains.line', { line, message: (error as Error).message.replace(/^domain: /, '') })];
    }
  });
}

/** The Unicode form people read (`bücher.example`), or the stored form when it has none. */
const unicode = (ascii: string): string => domainToUnicode(ascii) || ascii;

function storedTable(domains: readonly string[]): string {
  if (domains.length === 0) return `<p>${t('domains.none')}</p>`;
  const rows = domains.map((d) => `<tr><td>${escapeHtml(unicode(d))}</td><td><code>${escapeHtml(d)}</code></td></tr>`).join('');
  return `<div class="table-wrap"><table><caption>${t('domains.caption')}</caption>
<thead><tr><th scope="col">${t('domains.shown')}</th><th scope="col">${t('domains.stored')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: { text?: string; error?: DirectoryError } = {}): Promise<Reply> {
  const { allowedDomains } = await console.api.settingsFor(caller.actor).registration();
  const text = state.text ?? allowedDomains.map(unicode).join('\n');
  const problems = state.error === undefined ? [] : domainProblems(text);
  const errors = state.error === undefined ? '' : problems.length > 0
    ? `<div class="error" role="alert"><p>${t('domains.bad')}</p><ul>${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></div>`
    : alert('error', state.error.message);
  const body = `${ssoTabs(DOMAINS_PATH)}${notice(query, ['domains.saved'])}${errors}<p>${t('domains.intro')}</p>
<form method="post" action="${DOMAINS_PATH}">${csrfField(caller)}
${textarea('domains', t('domains.field'), text, { rows: 8, hint: t('domains.hint'), invalid: state.error !== undefined })}
${button(t('domains.save'))}
</form>
${storedTable(allowedDomains)}`;
  return console.render(caller, { title: t('domains.title'), body, section: '/settings/sso', status: state.error?.status ?? 200 });
}

function routes(console: ConsoleContext) {
  return [
    page(DOMAINS_PATH, 'allowed domains of self-registration', async ({ caller }, query) => render(console, caller, query)),
    post(DOMAINS_PATH, 'replace the allowed domains (every bad line is listed; nothing is saved then)', async ({ caller }, form) => {
      const text = (form['domains'] ?? '').slice(0, MAX_TEXT);
      const saved = await attempt(() => console.api.settingsFor(caller.actor).setRegistration({ allowedDomains: linesOf(text).map((l) => l.value) }));
      return saved.ok ? done(DOMAINS_PATH, 'domains.saved') : render(console, caller, {}, { text, error: saved.error });
    }),
  ];
}

export const registrationDomainsFeature: ConsoleFeature = { name: 'allowed-domains', routes };
