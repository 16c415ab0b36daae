import { escapeHtml } from '../../../domain/escape-html.js';
import type { Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { button, hidden, input } from '../console-forms.js';
import { alert } from '../console-layout.js';
import { t } from '../messages.js';

export interface SignInView {
  readonly identifier?: string;
  readonly next: string;
  readonly error?: string;
  readonly notice?: string;
  readonly firstRun?: boolean;
  readonly status?: number;
  /** Single sign-on offered on this page (docs/sso.md, docs/oidc.md). */
  readonly sso?: SsoChoices;
}

export interface SsoChoices {
  readonly saml: boolean;
  /** The OpenID Connect button's label when OIDC sign-in is on. */
  readonly oidcLabel?: string | undefined;
}

/** Links (not forms: the flows start with a GET) to each configured identity provider. */
function ssoLinks(sso: SsoChoices | undefined, next: string): string {
  const returnTo = encodeURIComponent(next);
  const links = [
    sso?.saml === true ? `<a class="button" href="/saml/login?returnTo=${returnTo}">${t('signIn.saml')}</a>` : '',
    sso?.oidcLabel === undefined ? '' : `<a class="button secondary" href="/oidc/login?returnTo=${returnTo}">${escapeHtml(sso.oidcLabel)}</a>`,
  ].filter((link) => link !== '');
  return links.length === 0 ? '' : `<p class="sso">${links.join(' ')}</p>${sso?.saml === true ? `<p>${t('signIn.samlOnly')}</p>` : ''}`;
}

/** Step one: username or email and password (autocomplete lets password managers fill it). */
export function signInForm(console: ConsoleContext, view: SignInView): Reply {
  const body = `${view.error === undefined ? '' : alert('error', view.error)}${view.notice === undefined ? '' : alert('ok', view.notice)}
${view.firstRun === true ? `<p><a href="/setup">${t('signIn.firstRun')}</a></p>` : ''}
${ssoLinks(view.sso, view.next)}
<form method="post" action="/">
${hidden('step', 'password')}${hidden('next', view.next)}
${input('identifier', t('signIn.identifier'), { value: view.identifier, autocomplete: 'username', required: true, extra: ' autofocus' })}
${input('password', t('signIn.password'), { type: 'password', autocomplete: 'current-password', required: true })}
${button(t('signIn.submit'))}
</form>
<p><a href="/forgot-password">${t('signIn.forgot')}</a></p>`;
  return console.render(undefined, { title: t('signIn.title'), body, status: view.status ?? 200, narrow: true });
}

/** Step two, for accounts with 2FA: the sealed first step travels along (sealed-state.ts). */
export function totpForm(console: ConsoleContext, state: string, error?: string): Reply {
  const body = `${error === undefined ? '' : alert('error', error)}
<p>${t('signIn.totpIntro')}</p>
<form method="post" action="/">
${hidden('step', 'totp')}${hidden('state', state)}
${input('totpToken', t('signIn.totpField'), { autocomplete: 'one-time-code', required: true, extra: ' autofocus maxlength="10"' })}
${button(t('signIn.totpSubmit'))}
</form>`;
  return console.render(undefined, { title: t('signIn.totpTitle'), body, status: error === undefined ? 200 : 401, narrow: true });
}
