import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, checkbox } from '../console-forms.js';
import { csrfField } from '../console-layout.js';
import { t } from '../messages.js';
import { attempt, done, notice, page, post, refusal, settingsPage, type PageQuery } from './admin-kit.js';

const PATH = '/settings/users';

/** A setting's checkbox, or its value as text when the configuration file pins it. */
const toggle = (name: string, label: string, on: boolean, locked: boolean): string =>
  locked ? `<p><strong>${escapeHtml(label)}</strong>: ${on ? t('common.yes') : t('common.no')} <span class="muted">(${t('settings.pinned')})</span></p>` : checkbox(name, label, on);

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, error?: DirectoryError): Promise<Reply> {
  const settings = console.api.settingsFor(caller.actor);
  const [{ values, locked }, ldapTotp] = await Promise.all([settings.userDirectory(), settings.ldapTotpRequired()]);
  const body = `${notice(query, ['common.saved', 'us.savedSignedOut'])}${refusal(error)}
<form method="post" action="${PATH}">${csrfField(caller)}
<h2>${t('us.twoFactor')}</h2>
${toggle('mandatory2fa', t('us.mandatory2fa'), values.mandatory2fa, locked.includes('mandatory2fa'))}
<p class="warning" id="mandatory-warning">${t('us.mandatoryWarning')}</p>
${checkbox('ldapTotp', t('us.ldapTotp'), ldapTotp)}
<p class="muted">${t('us.ldapTotpHint')}</p>
<h2>${t('us.profiles')}</h2>
${toggle('lockProfiles', t('us.lockProfiles'), values.lockProfiles, locked.includes('lockProfiles'))}
<p class="muted">${t('us.lockHint')}</p>
${button(t('common.save'))}
</form>`;
  return console.render(caller, settingsPage(PATH, t('us.title'), body, error?.status ?? 200));
}

function routes(console: ConsoleContext) {
  return [
    page(PATH, 'user settings (mandatory 2FA, LDAP 2FA, profile lock)', async ({ caller }, query) => render(console, caller, query)),
    post(PATH, 'save the user settings', async ({ caller, ip }, form) => {
      const settings = console.api.settingsFor(caller.actor);
      const { values, locked } = await settings.userDirectory();
      const changes = {
        ...(locked.includes('mandatory2fa') ? {} : { mandatory2fa: form['mandatory2fa'] === '1' }),
        ...(locked.includes('lockProfiles') ? {} : { lockProfiles: form['lockProfiles'] === '1' }),
      };
      const saved = await attempt(async () => {
        if (Object.keys(changes).length > 0) await settings.setUserDirectory(changes);
        const ldapTotp = form['ldapTotp'] === '1';
        if (ldapTotp !== (await settings.ldapTotpRequired())) await settings.setLdapTotpRequired(ldapTotp, ip);
      });
      if (!saved.ok) return render(console, caller, {}, saved.error);
      return done(PATH, changes.mandatory2fa === true && !values.mandatory2fa ? 'us.savedSignedOut' : 'common.saved');
    }),
  ];
}

export const userSettingsFeature: ConsoleFeature = { name: 'settings-users', routes };
