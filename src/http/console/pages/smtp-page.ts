import { z } from 'zod';
import { actorLabel } from '../../../domain/actor.js';
import { DirectoryError } from '../../../domain/errors.js';
import { assertMay } from '../../../domain/permissions.js';
import type { Caller, Reply } from '../../route.js';
import { sendTestMail, smtpBody } from '../../routes/smtp-settings-routes.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, checkbox, input } from '../console-forms.js';
import { alert, csrfField } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, done, notice, page, post, refusal, settingsPage, type PageQuery } from './admin-kit.js';

const PATH = '/settings/smtp';
const LABELS: Readonly<Record<string, MessageKey>> = {
  host: 'smtp.host', port: 'smtp.port', secure: 'smtp.secure', username: 'smtp.username', password: 'smtp.password', from: 'smtp.from', publicUrl: 'smtp.publicUrl',
};

interface State {
  readonly form?: Record<string, string>;
  readonly error?: DirectoryError;
  readonly sent?: string;
}

/** The form as the API's body (the same zod schema validates both): empty optional fields are null. */
function bodyOf(form: Record<string, string>): unknown {
  const optional = (name: string) => ((form[name] ?? '').trim() === '' ? null : form[name]);
  const password = form['password'] ?? '';
  return {
    host: form['host'] ?? '',
    port: Number(form['port'] ?? ''),
    secure: form['secure'] === '1',
    username: optional('username'),
    // An empty password field keeps the stored one (the page never shows it).
    ...(password === '' ? {} : { password }),
    from: form['from'] ?? '',
    publicUrl: optional('publicUrl'),
  };
}

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: State = {}): Promise<Reply> {
  assertMay(caller.actor, 'settings.read');
  const { mail } = console.api.directory.lifecycle;
  const stored = (await mail.read()) ?? undefined;
  const pinned = mail.pinned();
  const v = (name: string, fallback: string | number | null | undefined): string => state.form?.[name] ?? (fallback === null || fallback === undefined ? '' : String(fallback));
  const disabled = pinned ? ' disabled' : '';
  const status = stored === undefined && !pinned ? t('smtp.notConfigured') : pinned ? t('smtp.pinned') : t('smtp.configured');
  const body = `${notice(query, ['common.saved', 'smtp.removed'])}${refusal(state.error)}${state.sent === undefined ? '' : alert('ok', t('smtp.sent', { to: state.sent }))}
<p>${status}</p>
<form method="post" action="${PATH}">${csrfField(caller)}
<h2>${t('smtp.server')}</h2>
<div class="grid">
${input('host', t('smtp.host'), { value: v('host', stored?.host), required: true, extra: disabled })}
${input('port', t('smtp.port'), { value: v('port', stored?.port ?? 587), type: 'number', required: true, extra: ` min="1" max="65535"${disabled}` })}
</div>
${checkbox('secure', t('smtp.secure'), state.form === undefined ? (stored?.secure ?? false) : state.form['secure'] === '1')}
${input('username', t('smtp.username'), { value: v('username', stored?.username), autocomplete: 'off', extra: disabled })}
${input('password', stored?.hasPassword === true ? t('smtp.passwordKeep') : t('smtp.password'), { type: 'password', autocomplete: 'new-password', extra: disabled })}
${input('from', t('smtp.from'), { value: v('from', stored?.from), required: true, extra: disabled })}
${input('publicUrl', t('smtp.publicUrl'), { value: v('publicUrl', stored?.publicUrl), type: 'url', extra: disabled })}
${pinned ? '' : button(t('common.save'))}
</form>
${stored === undefined || pinned ? '' : `<form method="post" action="${PATH}/remove">${csrfField(caller)}${button(t('smtp.remove'), 'secondary')}</form>`}
<h2>${t('smtp.test')}</h2>
<form method="post" action="${PATH}/test">${csrfField(caller)}
${input('to', t('smtp.testTo'), { type: 'email', value: state.sent ?? caller.user.email, autocomplete: 'email', required: true })}
${button(t('smtp.testSend'), 'secondary')}
</form>`;
  return console.render(caller, settingsPage(PATH, t('smtp.title'), body, state.error?.status ?? (state.sent === undefined ? 200 : 202)));
}

function routes(console: ConsoleContext) {
  const { mail } = console.api.directory.lifecycle;
  return [
    page(PATH, 'SMTP settings and a test mail', async ({ caller }, query) => render(console, caller, query)),
    post(PATH, 'save the SMTP settings', async ({ caller }, form) => {
      assertMay(caller.actor, 'settings.write');
      const parsed = smtpBody.safeParse(bodyOf(form));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = String(issue?.path[0] ?? 'smtp');
        const label = LABELS[field];
        return render(console, caller, {}, { form, error: new DirectoryError('invalid', `${label === undefined ? field : t(label)}: ${issue?.message ?? ''}`, { field }) });
      }
      const saved = await attempt(() => mail.write(parsed.data, actorLabel(caller.actor)));
      return saved.ok ? done(PATH, 'common.saved') : render(console, caller, {}, { form, error: saved.error });
    }),
    post(`${PATH}/remove`, 'remove the SMTP settings', async ({ caller }) => {
      assertMay(caller.actor, 'settings.write');
      const removed = await attempt(() => mail.write(null, actorLabel(caller.actor)));
      return removed.ok ? done(PATH, 'smtp.removed') : render(console, caller, {}, { error: removed.error });
    }),
    post(`${PATH}/test`, 'send a test mail', async ({ caller }, form) => {
      const to = (form['to'] ?? '').trim().slice(0, 320);
      if (!z.email().safeParse(to).success) return render(console, caller, {}, { error: new DirectoryError('invalid', t('smtp.testBadAddress'), { field: 'to' }) });
      try {
        await sendTestMail(console.api, caller.actor, to);
        return await render(console, caller, {}, { sent: to });
      } catch (error) {
        // The mail server's refusal (503) is what the admin needs to read, unlike other 5xx.
        if (!(error instanceof DirectoryError) || error.kind === 'internal') throw error;
        return render(console, caller, {}, { error });
      }
    }),
  ];
}

export const smtpFeature: ConsoleFeature = { name: 'settings-smtp', routes };
