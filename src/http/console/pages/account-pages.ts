import { escapeHtml } from '../../../domain/escape-html.js';
import { DirectoryError } from '../../../domain/errors.js';
import { qrCodeDataUrl } from '../../../directory/lifecycle/qr-png.js';
import { mustEnroll2fa } from '../../auth/mandatory-enrolment.js';
import { requestResetMail } from '../../routes/lifecycle-routes.js';
import { defineRoute, type AnyRoute, type Caller, type RawBody, type Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, formOf, hidden, input } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { FORM, HTML } from './sign-in-pages.js';

function forgotForm(console: ConsoleContext, notice?: string): Reply {
  const body = `${notice === undefined ? `<p>${t('forgot.intro')}</p>` : alert('ok', notice)}
<form method="post" action="/forgot-password">
${input('identifier', t('signIn.identifier'), { autocomplete: 'username', required: true })}
${button(t('forgot.submit'))}
</form>
<p><a href="/">${t('forgot.back')}</a></p>`;
  return console.render(undefined, { title: t('forgot.title'), body, narrow: true });
}

async function enrolForm(console: ConsoleContext, caller: Caller, started: { secret: string; otpauthUrl: string }, error?: string): Promise<Reply> {
  const mandatory = await mustEnroll2fa(console.api.directory.store, console.api.pinned, caller.user);
  const body = `${error === undefined ? '' : alert('error', error)}${mandatory ? `<p>${t('enrol.mandatory')}</p>` : ''}
<p>${t('enrol.scan')}</p>
<img src="${await qrCodeDataUrl(started.otpauthUrl)}" alt="${t('enrol.qrAlt')}" width="232" height="232">
<p>${t('enrol.key')}: <code>${escapeHtml(started.secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>
<form method="post" action="/two-factor">
${csrfField(caller)}${hidden('secret', started.secret)}${hidden('otpauthUrl', started.otpauthUrl)}
${input('totpToken', t('enrol.code'), { autocomplete: 'one-time-code', required: true })}
${button(t('enrol.submit'))}
</form>`;
  return console.render(caller, { title: t('enrol.title'), body, status: error === undefined ? 200 : 400, narrow: true });
}

/**
 * The key the form showed, shown again after a wrong code so the person need not scan anew; a
 * form that does not carry one (hand-made, or mangled) gets a fresh key rather than an error page.
 */
async function shownAgain(twoFactor: ConsoleContext['api']['directory']['lifecycle']['twoFactor'], caller: Caller, form: Record<string, string>): Promise<{ secret: string; otpauthUrl: string }> {
  const secret = form['secret'] ?? '';
  const otpauthUrl = form['otpauthUrl'] ?? '';
  if (/^[A-Z2-7]{16,128}$/.test(secret) && otpauthUrl.startsWith('otpauth://totp/') && otpauthUrl.length <= 1024) return { secret, otpauthUrl };
  return twoFactor.newSecret(caller.user);
}

const done = (console: ConsoleContext, caller: Caller, text: string): Reply =>
  console.render(caller, { title: t('enrol.title'), body: `${alert('ok', text)}<p><a class="button" href="${escapeHtml(console.home(caller.actor))}">${t('enrol.continue')}</a></p>`, narrow: true });

function routes(console: ConsoleContext): AnyRoute[] {
  const { twoFactor } = console.api.directory.lifecycle;
  return [
    defineRoute({ method: 'GET', path: '/forgot-password', summary: 'Console: forgot password', tag: 'console', auth: 'none', page: true, textResponse: HTML, handle: async () => forgotForm(console) }),
    defineRoute<RawBody>({
      method: 'POST', path: '/forgot-password', summary: 'Console: mail a reset link (same answer whether or not the account exists)', tag: 'console', auth: 'none', page: true, raw: FORM, textResponse: HTML,
      handle: async ({ req, body }) => {
        await requestResetMail(console.api, req, (formOf(body.text)['identifier'] ?? '').slice(0, 320));
        return forgotForm(console, t('forgot.sent'));
      },
    }),
    defineRoute({
      method: 'GET', path: '/two-factor', summary: 'Console: set up two-factor authentication (the only page while it is mandatory and missing)', tag: 'console', auth: 'user', page: true, textResponse: HTML,
      handle: async ({ caller }) => (caller.user.totpEnabled ? done(console, caller, t('enrol.already')) : enrolForm(console, caller, await twoFactor.newSecret(caller.user))),
    }),
    defineRoute<RawBody>({
      method: 'POST', path: '/two-factor', summary: 'Console: confirm two-factor authentication with a code', tag: 'console', auth: 'user', page: true, raw: FORM, textResponse: HTML,
      handle: async ({ caller, body, ip }) => {
        const form = formOf(body.text);
        try {
          await twoFactor.enable(caller.user, (form['totpToken'] ?? '').slice(0, 16), ip);
          return done(console, caller, t('enrol.done'));
        } catch (error) {
          if (!(error instanceof DirectoryError) || error.status >= 500) throw error;
          return enrolForm(console, caller, await shownAgain(twoFactor, caller, form), error.message);
        }
      },
    }),
  ];
}

export const accountFeature: ConsoleFeature = { name: 'account', routes };
