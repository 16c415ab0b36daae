import type { OidcInput, OidcSettingsView } from '../../../directory/sso/oidc-settings.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import type { Caller } from '../../route.js';
import { button, checkbox, input, select } from '../console-forms.js';
import { csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { stackedFacts as facts } from './sso-tabs.js';
import { SSO_PATH } from './sso-tabs.js';

/**
 * The OpenID Connect part of the single sign-on page (the use cases of
 * GET/PUT /api/v1/settings/sso/oidc): preset (Google or another provider), issuer, client ID, the
 * client secret — write-only: never shown back, empty keeps the stored one — groups claim and
 * button text. Settings pinned by the YAML (`sso.oidc`) are shown read-only, and said to be.
 */
export const OIDC_POST = `${SSO_PATH}/oidc`;
type Posted = Readonly<Record<string, string>> | undefined;

function pinnedFacts(view: OidcSettingsView): string {
  return `<p class="muted">${t('sso.oidcPinned')}</p>${facts([
    [t('sso.preset'), escapeHtml(view.preset === 'google' ? t('sso.presetGoogle') : t('sso.presetGeneric'))],
    [t('sso.issuer'), `<code>${escapeHtml(view.issuer)}</code>`],
    [t('sso.clientId'), `<code>${escapeHtml(view.clientId)}</code>`],
    [t('sso.clientSecret'), escapeHtml(view.hasClientSecret ? t('sso.secretStored') : t('sso.secretNone'))],
    [t('sso.groupsClaim'), `<code>${escapeHtml(view.groupsClaim)}</code>`],
    [t('sso.buttonLabel'), escapeHtml(view.buttonLabel)],
  ])}`;
}

function form(caller: Caller, view: OidcSettingsView | undefined, posted: Posted, error: DirectoryError | undefined): string {
  const v = (name: string, stored: string | undefined) => posted?.[name] ?? stored ?? '';
  const bad = (name: string) => (error?.field === name ? ' aria-invalid="true"' : '');
  const presets: [string, string][] = [['google', t('sso.presetGoogle')], ['generic', t('sso.presetGeneric')]];
  const secretLabel = view?.hasClientSecret === true ? t('sso.clientSecretKeep') : t('sso.clientSecret');
  return `<form method="post" action="${OIDC_POST}">${csrfField(caller)}
${checkbox('oidcEnabled', t('sso.oidcEnabled'), posted === undefined ? view?.enabled === true : posted['oidcEnabled'] === '1')}
${select('preset', t('sso.preset'), presets, v('preset', view?.preset ?? 'google'))}
${input('issuer', t('sso.issuer'), { value: v('issuer', view?.preset === 'generic' ? view.issuer : ''), type: 'url', autocomplete: 'off', extra: bad('issuer') })}
${input('clientId', t('sso.clientId'), { value: v('clientId', view?.clientId), autocomplete: 'off', extra: bad('clientId') })}
${input('clientSecret', secretLabel, { type: 'password', autocomplete: 'new-password', extra: bad('clientSecret') })}
${input('groupsClaim', t('sso.groupsClaim'), { value: v('groupsClaim', view?.groupsClaim), autocomplete: 'off', extra: bad('groupsClaim') })}
${input('buttonLabel', t('sso.buttonLabel'), { value: v('buttonLabel', view?.buttonLabel), autocomplete: 'off', extra: bad('buttonLabel') })}
${button(t('sso.oidcSave'))}
</form>`;
}

export function oidcSection(caller: Caller, view: OidcSettingsView | undefined, redirectUri: string, state: { posted?: Posted; error?: DirectoryError | undefined } = {}): string {
  const status = view?.enabled === true ? t('sso.oidcOn', { label: view.buttonLabel }) : t('sso.oidcOff');
  return `<section aria-labelledby="h-oidc"><h2 id="h-oidc">${t('sso.oidc')}</h2><p>${escapeHtml(status)}</p>
${facts([[t('sso.redirectUri'), `<code>${escapeHtml(redirectUri)}</code>`]])}
${view?.pinned === true ? pinnedFacts(view) : form(caller, view, state.posted, state.error)}</section>`;
}

/** The input the use case takes. The secret travels only when typed; scopes (API-only) are kept. */
export function oidcInput(posted: Readonly<Record<string, string>>, current: OidcSettingsView | undefined): OidcInput {
  const text = (name: string) => (posted[name] ?? '').trim();
  const preset = text('preset') === 'generic' ? 'generic' : 'google';
  return {
    enabled: posted['oidcEnabled'] === '1', // not `enabled`: the SAML form on the same page has that id
    preset,
    ...(preset === 'generic' || text('issuer') !== '' ? { issuer: text('issuer') } : {}),
    clientId: text('clientId'),
    ...(posted['clientSecret'] === undefined || posted['clientSecret'] === '' ? {} : { clientSecret: posted['clientSecret'] }),
    groupsClaim: text('groupsClaim') || null,
    buttonLabel: text('buttonLabel') || null,
    scopes: current?.scopes ?? null,
  };
}
