import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { escapeHtml } from '../../../domain/escape-html.js';
import { DirectoryError } from '../../../domain/errors.js';
import { parseAllowlistText } from '../../../domain/ip-allowlist.js';
import type { LdapEndpoint } from '../../api-context.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, checkbox, hidden } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, done, facts, notice, page, post, settingsNav, settingsPage, textarea, when, type PageQuery } from './admin-kit.js';

const PATH = '/settings/directory-server';

interface FormState {
  readonly allowlist?: string;
  readonly enabled?: boolean;
  readonly error?: DirectoryError;
  readonly secret?: string;
}

/** Every bad line of an allowlist, not just the first the use case stops at ("line 3: …"). */
export function allowlistProblems(text: string): string[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    try {
      parseAllowlistText(line);
      return [];
    } catch (error) {
      return [(error as Error).message.replace(/^line 1/, `line ${i + 1}`)];
    }
  });
}

/** The listener clients should use: LDAPS first; a wildcard address becomes the host the browser used. */
export function ldapUrl(endpoint: LdapEndpoint, req: IncomingMessage): string | undefined {
  const url = endpoint.urls.find((u) => u.startsWith('ldaps://')) ?? endpoint.urls[0];
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0' || parsed.hostname === '[::]') parsed.hostname = new URL(`http://${req.headers.host ?? 'localhost'}`).hostname;
  return `${parsed.protocol}//${parsed.host}`;
}

/** The exact `ldapsearch` line for this server, as the README shows it (the secret is asked for with -W). */
export function ldapsearchLine(endpoint: LdapEndpoint, req: IncomingMessage): string | undefined {
  const url = ldapUrl(endpoint, req);
  if (url === undefined) return undefined;
  const ca = url.startsWith('ldaps://') && endpoint.certFile !== undefined ? `LDAPTLS_CACERT=${endpoint.certFile} ` : '';
  return `${ca}ldapsearch -H ${url} -D cn=admin,ou=system,${endpoint.suffix} -W -b ou=users,${endpoint.suffix} '(objectClass=person)' uid mail`;
}

function certificate(endpoint: LdapEndpoint): string {
  if (endpoint.certFile === undefined) return `<p class="muted">${t('ds.noCert')}</p>`;
  try {
    const cert = new X509Certificate(readFileSync(endpoint.certFile));
    const expires = new Date(cert.validTo);
    const days = Math.floor((expires.getTime() - Date.now()) / 86_400_000);
    return facts([
      [t('ds.certSubject'), escapeHtml(cert.subject.replace(/\n/g, ', '))],
      [t('ds.certNames'), escapeHtml(cert.subjectAltName ?? '—')],
      [t('ds.certExpires'), `${escapeHtml(when(expires))} ${days < 30 ? alert('error', t('ds.certSoon', { days })) : `<span class="muted">(${escapeHtml(t('ds.certDays', { days }))})</span>`}`],
      [t('ds.certFile'), `<code>${escapeHtml(endpoint.certFile)}</code>`],
    ]);
  } catch {
    return `<p class="muted">${escapeHtml(t('ds.certUnreadable', { file: endpoint.certFile }))}</p>`;
  }
}

function connectSection(console: ConsoleContext, req: IncomingMessage): string {
  const endpoint = console.api.ldapEndpoint?.();
  if (endpoint === undefined) return `<h2>${t('ds.connect')}</h2><p class="muted">${t('ds.noListener')}</p>`;
  const line = ldapsearchLine(endpoint, req);
  return `<h2>${t('ds.connect')}</h2><p>${t('ds.connectIntro')}</p>
${line === undefined ? `<p class="muted">${t('ds.noListener')}</p>` : `<pre class="command"><code>${escapeHtml(line)}</code></pre>`}
<h3>${t('ds.cert')}</h3>${certificate(endpoint)}`;
}

async function render(console: ConsoleContext, caller: Caller, req: IncomingMessage, query: PageQuery, state: FormState = {}): Promise<Reply> {
  const settings = console.api.settingsFor(caller.actor);
  const { values, locked } = await settings.directoryServer();
  const allowlist = state.allowlist ?? values.allowlist;
  const problems = state.error?.field === 'allowlist' ? allowlistProblems(allowlist) : [];
  const errors = state.error === undefined ? '' : problems.length > 0
    ? `<div class="error" role="alert"><p>${t('ds.allowlistBad')}</p><ul>${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></div>`
    : alert('error', state.error.message);
  const lockedNote = locked.length === 0 ? '' : `<p class="muted">${escapeHtml(t('settings.lockedFields', { fields: locked.join(', ') }))}</p>`;
  const secret = state.secret === undefined ? '' : `${alert('ok', t('ds.secretShown'))}<p class="secret" id="new-secret">${escapeHtml(state.secret)}</p>`;
  const body = `${notice(query, ['common.saved'])}${errors}
<form method="post" action="${PATH}">${csrfField(caller)}${hidden('form', 'server')}
<h2>${t('ds.server')}</h2>${lockedNote}
${locked.includes('enabled') ? `<p>${values.enabled ? t('ds.on') : t('ds.off')}</p>` : `${hidden('enabledShown', '1')}${checkbox('enabled', t('ds.enabled'), state.enabled ?? values.enabled)}`}
${textarea('allowlist', t('ds.allowlist'), allowlist, { hint: t('ds.allowlistHint'), invalid: problems.length > 0, disabled: locked.includes('allowlist') })}
${button(t('common.save'))}
</form>
${connectSection(console, req)}
<h2 id="secret">${t('ds.secret')}</h2>${secret}
${settings.secretLocked ? `<p class="muted">${t('ds.secretLocked')}</p>` : `<p>${t('ds.secretIntro')}</p>
<form method="post" action="${PATH}/secret">${csrfField(caller)}${button(t('ds.rotate'), 'danger')}</form>`}`;
  return console.render(caller, settingsPage(PATH, t('ds.title'), body, state.error?.status ?? (state.secret === undefined ? 200 : 201)));
}

function routes(console: ConsoleContext) {
  return [
    page(PATH, 'directory server settings (LDAP on/off, allowlist, admin secret, how to connect)', async ({ caller, req }, query) => render(console, caller, req, query)),
    post(PATH, 'save the directory server settings', async ({ caller, req }, form) => {
      const settings = console.api.settingsFor(caller.actor);
      const allowlist = (form['allowlist'] ?? '').slice(0, 256 * 1024);
      const enabled = form['enabled'] === '1';
      // A field the form did not carry is left as it is: an unchecked box sends nothing, so the
      // page's hidden `enabledShown` says the box was there (a hand-made POST cannot switch LDAP
      // off or empty the allowlist by leaving a field out). The page carries no pinned field; one
      // that a forged form carries goes to the use case, which refuses a different value (409).
      const sendsEnabled = form['enabledShown'] === '1';
      const sendsAllowlist = form['allowlist'] !== undefined;
      const changes = { ...(sendsEnabled ? { enabled } : {}), ...(sendsAllowlist ? { allowlist } : {}) };
      const saved = await attempt(() => settings.setDirectoryServer(changes));
      if (!saved.ok) return render(console, caller, req, {}, { allowlist, enabled, error: saved.error });
      await console.api.onDirectoryServerChange?.(saved.value.values);
      return done(PATH, 'common.saved');
    }),
    post(`${PATH}/secret`, 'rotate the directory admin secret (shown once)', async ({ caller, req }) => {
      const rotated = await attempt(() => console.api.settingsFor(caller.actor).rotateAdminSecret());
      return rotated.ok ? render(console, caller, req, {}, { secret: rotated.value }) : render(console, caller, req, {}, { error: rotated.error });
    }),
  ];
}

export const directoryServerFeature: ConsoleFeature = { name: 'settings-directory-server', nav: [settingsNav], routes };
