import type { IncomingMessage } from 'node:http';
import { samlEndpoints } from '../../../directory/sso/saml-client.js';
import type { IdpMetadata } from '../../../directory/sso/saml-metadata.js';
import type { EffectiveSaml, SamlChanges } from '../../../directory/sso/saml-settings.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import { invalid, type DirectoryError } from '../../../domain/errors.js';
import type { Caller } from '../../route.js';
import { requestOrigin } from '../../routes/saml-origin.js';
import { button, checkbox, input } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { textarea, when } from './admin-kit.js';
import { stackedFacts as facts } from './sso-tabs.js';
import { SSO_PATH } from './sso-tabs.js';

/**
 * The SAML part of the single sign-on page (issue 14's settings, the same use cases as
 * GET/PUT /api/v1/settings/sso/saml): what pgdir understood of the IdP metadata (entity ID, SSO
 * URL, binding, each signing certificate's subject and expiry), the addresses to give the IdP,
 * the settings form (metadata pasted or uploaded, group attribute…) and "turn off".
 */
export const SAML_POST = `${SSO_PATH}/saml`;
const DAY = 86_400_000;

function certificates(idp: IdpMetadata): string {
  const rows = idp.certificates.map((c) => {
    const days = Math.floor((new Date(c.notAfter).getTime() - Date.now()) / DAY);
    const note = days < 0 ? alert('error', t('sso.certExpired')) : days < 30 ? alert('error', t('sso.certSoon', { days })) : '';
    return `<tr><td>${escapeHtml(c.subject.replace(/\n/g, ', '))}</td><td>${escapeHtml(when(c.notAfter))}${note}</td><td><code class="details">${escapeHtml(c.fingerprint256)}</code></td></tr>`;
  });
  return `<div class="table-wrap"><table><caption>${t('sso.certCaption')}</caption>
<thead><tr><th scope="col">${t('sso.certSubject')}</th><th scope="col">${t('sso.certExpires')}</th><th scope="col">${t('sso.certFingerprint')}</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function understood(saml: EffectiveSaml): string {
  const { idp } = saml;
  if (idp === null) return `<p class="muted">${t('sso.samlNoIdp')}</p>`;
  return `<h3>${t('sso.samlIdp')}</h3>${facts([
    [t('sso.entityId'), `<code>${escapeHtml(idp.entityId)}</code>`],
    [t('sso.ssoUrl'), `<code>${escapeHtml(idp.ssoUrl)}</code>`],
    [t('sso.binding'), escapeHtml(idp.ssoBinding === 'redirect' ? 'HTTP-Redirect' : 'HTTP-POST')],
  ])}${certificates(idp)}`;
}

function serviceProvider(saml: EffectiveSaml, req: IncomingMessage): string {
  const sp = samlEndpoints(saml.settings, requestOrigin(req));
  return `<h3>${t('sso.spTitle')}</h3>${facts([
    [t('sso.spEntityId'), `<code>${escapeHtml(sp.entityId)}</code>`],
    [t('sso.acsUrl'), `<code>${escapeHtml(sp.acsUrl)}</code>`],
    [t('sso.metadataUrl'), `<code>${escapeHtml(sp.metadataUrl)}</code>`],
    [t('sso.loginUrl'), `<code>${escapeHtml(sp.loginUrl)}</code>`],
  ])}`;
}

/** Values as posted when the form comes back with an error, else the stored ones. */
type Posted = Readonly<Record<string, string>> | undefined;

function form(caller: Caller, saml: EffectiveSaml, posted: Posted, error: DirectoryError | undefined): string {
  const s = saml.settings;
  const v = (name: string, stored: string) => posted?.[name] ?? stored;
  const bad = (name: string) => (error?.field === name ? ' aria-invalid="true"' : '');
  const metadata = saml.metadataPinned
    ? `<p class="muted">${t('sso.metadataPinned')}</p>`
    : `${textarea('metadataXml', t('sso.metadata'), posted?.['metadataXml'] ?? '', { rows: 8, hint: t('sso.metadataHint'), invalid: error?.field === 'metadataXml' })}
<label for="f-metadataFile">${t('sso.metadataFile')}</label><input id="f-metadataFile" name="metadataFile" type="file" accept=".xml,application/xml,application/samlmetadata+xml,text/xml">`;
  return `<h3>${t('sso.samlSettings')}</h3>
<form method="post" action="${SAML_POST}" enctype="multipart/form-data">${csrfField(caller)}
${metadata}
${checkbox('enabled', t('sso.samlEnabled'), posted === undefined ? s.enabled : posted['enabled'] === '1')}
${input('groupAttribute', t('sso.groupAttribute'), { value: v('groupAttribute', s.groupAttribute), autocomplete: 'off', extra: bad('groupAttribute') })}
${input('audience', t('sso.audience'), { value: v('audience', s.audience), autocomplete: 'off', extra: bad('audience') })}
${input('baseUrl', t('sso.baseUrl'), { value: v('baseUrl', s.baseUrl ?? ''), type: 'url', autocomplete: 'off', extra: bad('baseUrl') })}
${input('clockSkewSeconds', t('sso.clockSkew'), { value: v('clockSkewSeconds', String(s.clockSkewSeconds)), type: 'number', autocomplete: 'off', extra: ` min="0" max="600"${bad('clockSkewSeconds')}` })}
${checkbox('allowIdpInitiated', t('sso.idpInitiated'), posted === undefined ? s.allowIdpInitiated : posted['allowIdpInitiated'] === '1')}
${button(t('sso.samlSave'))}
</form>`;
}

export function samlSection(caller: Caller, req: IncomingMessage, saml: EffectiveSaml, state: { posted?: Posted; error?: DirectoryError | undefined } = {}): string {
  const off = saml.settings.enabled ? `<form method="post" action="${SAML_POST}/off">${csrfField(caller)}${button(t('sso.samlTurnOff'), 'danger')}</form>` : '';
  return `<section aria-labelledby="h-saml"><h2 id="h-saml">${t('sso.saml')}</h2>
<p>${saml.settings.enabled ? t('sso.samlOn') : t('sso.samlOff')}</p>${off}
${understood(saml)}${serviceProvider(saml, req)}
${form(caller, saml, state.posted, state.error)}</section>`;
}

/**
 * The changes the form asks for (the uploaded file wins over the text area; empty keeps the stored
 * metadata). Pinned metadata has no field on the page; metadata a forged form sends anyway goes to
 * the use case, which refuses it (409) rather than saving the rest as if all went well.
 */
export function samlChanges(posted: Readonly<Record<string, string>>): SamlChanges {
  const skew = Number(posted['clockSkewSeconds'] ?? '');
  if (!Number.isInteger(skew) || skew < 0 || skew > 600) throw invalid('clockSkewSeconds must be a whole number of seconds from 0 to 600', 'clockSkewSeconds');
  const metadata = (posted['metadataFile'] ?? '').trim() || (posted['metadataXml'] ?? '').trim();
  const baseUrl = (posted['baseUrl'] ?? '').trim();
  return {
    enabled: posted['enabled'] === '1',
    ...(metadata === '' ? {} : { metadataXml: metadata }),
    groupAttribute: (posted['groupAttribute'] ?? '').trim(),
    audience: (posted['audience'] ?? '').trim(),
    baseUrl: baseUrl === '' ? null : baseUrl,
    clockSkewSeconds: skew,
    allowIdpInitiated: posted['allowIdpInitiated'] === '1',
  };
}
