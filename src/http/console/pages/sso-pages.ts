import type { IncomingMessage } from 'node:http';
import { MAX_METADATA_BYTES } from '../../../directory/sso/saml-metadata.js';
import type { DirectoryError } from '../../../domain/errors.js';
import { defineRoute, type Caller, type RawBody, type Reply } from '../../route.js';
import { isTls } from '../../routes/saml-origin.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { formOf } from '../console-forms.js';
import { multipartFields } from '../multipart-form.js';
import { t } from '../messages.js';
import { attempt, done, notice, page, post, refusal, type PageQuery } from './admin-kit.js';
import { HTML } from './sign-in-pages.js';
import { oidcInput, oidcSection, OIDC_POST } from './sso-oidc-section.js';
import { samlChanges, samlSection, SAML_POST } from './sso-saml-section.js';
import { SSO_PATH, ssoNav, ssoTabs } from './sso-tabs.js';

/**
 * Single sign-on (issue 14's settings in the console): SAML and OpenID Connect on one page, each
 * with its own form, calling the same use cases as /api/v1/settings/sso/* — pgdir admins, owners
 * and organisation admins (sso.read / sso.write); anyone else gets the use cases' 403.
 */
interface State {
  readonly saml?: { posted?: Record<string, string>; error: DirectoryError };
  readonly oidc?: { posted?: Record<string, string>; error: DirectoryError };
}

/** The redirect URI as GET /api/v1/settings/sso/oidc shows it. */
async function redirectUri(console: ConsoleContext, req: IncomingMessage): Promise<string> {
  const base = (await console.api.directory.lifecycle.mail.publicUrl()) ?? `${isTls(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  return `${base}/oidc/callback`;
}

async function render(console: ConsoleContext, caller: Caller, req: IncomingMessage, query: PageQuery, state: State = {}): Promise<Reply> {
  const saml = await console.api.settingsFor(caller.actor).saml();
  const oidc = await console.api.directory.oidc.read(caller.actor);
  const error = state.saml?.error ?? state.oidc?.error;
  const body = `${ssoTabs(SSO_PATH)}${notice(query, ['sso.samlSaved', 'sso.samlTurnedOff', 'sso.oidcSaved'])}${refusal(error)}
<p><a href="/organization/grants">${t('sso.orgLink')}</a></p>
${samlSection(caller, req, saml, state.saml ?? {})}
${oidcSection(caller, oidc, await redirectUri(console, req), state.oidc ?? {})}`;
  return console.render(caller, { title: t('sso.title'), body, section: SSO_PATH, status: error?.status ?? 200 });
}

/** The SAML form: urlencoded, or multipart when a metadata file is chosen (up to the metadata limit, encoded). */
const SAML_FORM = { types: ['application/x-www-form-urlencoded', 'multipart/form-data'], maxBytes: MAX_METADATA_BYTES * 3 + 64 * 1024 };

function samlPost(console: ConsoleContext) {
  return defineRoute<RawBody>({
    method: 'POST', path: SAML_POST, summary: 'Console: save the SAML single sign-on settings (metadata pasted or uploaded)', tag: 'console', auth: 'user', page: true, raw: SAML_FORM, textResponse: HTML,
    handle: async ({ caller, req, body }) => {
      const posted = body.contentType === 'multipart/form-data' ? (multipartFields(req.headers['content-type'], body.text) ?? {}) : formOf(body.text);
      const settings = console.api.settingsFor(caller.actor);
      const saved = await attempt(async () => settings.setSaml(samlChanges(posted)));
      if (saved.ok) return done(SSO_PATH, 'sso.samlSaved');
      const { metadataFile: _file, ...kept } = posted;
      return render(console, caller, req, {}, { saml: { posted: { ...kept, metadataXml: posted['metadataFile'] || posted['metadataXml'] || '' }, error: saved.error } });
    },
  });
}

function routes(console: ConsoleContext) {
  return [
    page(SSO_PATH, 'single sign-on: SAML and OpenID Connect', async ({ caller, req }, query) => render(console, caller, req, query)),
    samlPost(console),
    post(`${SAML_POST}/off`, 'turn SAML single sign-on off', async ({ caller, req }) => {
      const saved = await attempt(() => console.api.settingsFor(caller.actor).setSaml({ enabled: false }));
      return saved.ok ? done(SSO_PATH, 'sso.samlTurnedOff') : render(console, caller, req, {}, { saml: { error: saved.error } });
    }),
    post(OIDC_POST, 'save the OpenID Connect sign-in settings (the client secret is write-only)', async ({ caller, req, ip }, form) => {
      const { oidc } = console.api.directory;
      const saved = await attempt(async () => oidc.write(oidcInput(form, await oidc.read(caller.actor)), caller.actor, ip));
      const { clientSecret: _secret, ...kept } = form;
      return saved.ok ? done(SSO_PATH, 'sso.oidcSaved') : render(console, caller, req, {}, { oidc: { posted: kept, error: saved.error } });
    }),
  ];
}

export const ssoFeature: ConsoleFeature = { name: 'single-sign-on', nav: [ssoNav], routes };
