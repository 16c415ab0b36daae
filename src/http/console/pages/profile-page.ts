import { endOtherSessions, listSessions } from '../../../directory/auth/user-sessions.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { DirectoryError } from '../../../domain/errors.js';
import type { ApiToken } from '../../../store/api-token-store.js';
import { issueSession } from '../../auth/login.js';
import { passwordThrottled } from '../../auth/password-throttle.js';
import { sessionCookie } from '../../auth/session-cookie.js';
import { withFieldNames } from '../../field-names.js';
import type { Caller, Reply } from '../../route.js';
import { profileLocked, updateOwnProfile } from '../../routes/profile-routes.js';
import { notifyTotpDisabled } from '../../routes/two-factor-routes.js';
import type { ConsoleContext, ConsoleFeature } from '../console-feature.js';
import { button, input } from '../console-forms.js';
import { csrfField, seeOther } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { attempt, done, facts, notice, page, post, refusal, when, type PageQuery } from './admin-kit.js';

const PATH = '/profile';
const NOTICES: readonly MessageKey[] = ['common.saved', 'profile.passwordChanged', 'profile.totpOff', 'profile.othersEnded'];

/** Which form a refusal belongs to, so it is shown there (and the others stay as they were). */
type Part = 'details' | 'password' | 'totp' | 'sessions';
interface State {
  readonly part?: Part;
  readonly error?: DirectoryError;
  readonly form?: Record<string, string>;
}

function details(caller: Caller, locked: boolean, state: State): string {
  const v = (name: string, stored: string | null) => (state.part === 'details' ? state.form?.[name] : undefined) ?? stored ?? '';
  const lockedExtra = locked ? ' readonly aria-describedby="locked-note"' : '';
  return `<section aria-labelledby="h-details"><h2 id="h-details">${t('profile.details')}</h2>${state.part === 'details' ? refusal(state.error) : ''}
${facts([[t('profile.username'), escapeHtml(caller.user.username ?? '—')], [t('profile.role'), escapeHtml(caller.user.role)]])}
${locked ? `<p class="muted" id="locked-note">${t('profile.locked')}</p>` : ''}
<form method="post" action="${PATH}">${csrfField(caller)}
${input('fullName', t('profile.fullName'), { value: v('fullName', caller.user.displayName), autocomplete: 'name', extra: lockedExtra })}
${input('email', t('profile.email'), { value: v('email', caller.user.email), type: 'email', autocomplete: 'email', required: true, extra: lockedExtra })}
${input('fallbackEmail', t('profile.fallbackEmail'), { value: v('fallbackEmail', caller.user.fallbackEmail), type: 'email' })}
${button(t('common.save'))}
</form></section>`;
}

function password(caller: Caller, state: State): string {
  return `<section aria-labelledby="h-password"><h2 id="h-password">${t('profile.password')}</h2>${state.part === 'password' ? refusal(state.error) : ''}
<p class="muted">${t('profile.passwordHint')}</p>
<form method="post" action="${PATH}/password">${csrfField(caller)}
<input type="text" name="username" autocomplete="username" value="${escapeHtml(caller.user.username ?? caller.user.email)}" hidden>
${input('password', t('profile.currentPassword'), { type: 'password', autocomplete: 'current-password', required: true })}
${input('newPassword', t('profile.newPassword'), { type: 'password', autocomplete: 'new-password', required: true, extra: ' minlength="8" maxlength="256"' })}
${button(t('profile.changePassword'))}
</form></section>`;
}

function twoFactor(caller: Caller, state: State): string {
  const body = caller.user.totpEnabled
    ? `<p>${t('profile.totpOn')}</p>
<form method="post" action="${PATH}/2fa/disable">${csrfField(caller)}
${input('totpPassword', t('profile.totpDisablePassword'), { type: 'password', autocomplete: 'current-password', required: true })}
${button(t('profile.totpDisable'), 'danger')}</form>`
    : `<p>${t('profile.totpOffNow')}</p><p><a class="button" href="/two-factor">${t('profile.totpEnrol')}</a></p>`;
  return `<section aria-labelledby="h-totp"><h2 id="h-totp">${t('profile.totp')}</h2>${state.part === 'totp' ? refusal(state.error) : ''}${body}</section>`;
}

function sessions(caller: Caller, list: readonly ApiToken[]): string {
  const rows = list
    .map((s) => `<tr><td>${escapeHtml(when(s.createdAt))}${s.id === caller.token.id ? ` <span class="badge">${t('profile.thisSession')}</span>` : ''}</td><td>${escapeHtml(when(s.lastUsedAt ?? s.createdAt))}</td><td>${escapeHtml(when(s.expiresAt))}</td></tr>`)
    .join('');
  const others = list.some((s) => s.id !== caller.token.id);
  return `<section aria-labelledby="h-sessions"><h2 id="h-sessions">${t('profile.sessions')}</h2>
<div class="table-wrap"><table><caption>${t('profile.sessionsCaption')}</caption><thead><tr><th scope="col">${t('profile.signedIn')}</th><th scope="col">${t('profile.lastUsed')}</th><th scope="col">${t('profile.expires')}</th></tr></thead><tbody>${rows}</tbody></table></div>
${others ? `<form method="post" action="${PATH}/sessions/end-others">${csrfField(caller)}${button(t('profile.endOthers'), 'secondary')}</form>` : `<p class="muted">${t('profile.noOthers')}</p>`}</section>`;
}

type Permissions = Awaited<ReturnType<ConsoleContext['api']['directory']['teams']['permissions']>>;

/** My teams and permissions (issue 13): shown once any grant reaches the person. */
function permissions(report: Permissions): string {
  if (report.organization === null && report.teams.length === 0) return '';
  const rows = report.teams.map((team) => `<tr><td>${escapeHtml(team.team.name)}</td><td>${escapeHtml(team.level)}</td></tr>`).join('');
  const admin = report.organization === 'admin' || report.teams.some((team) => team.level === 'admin');
  return `<section aria-labelledby="h-perms"><h2 id="h-perms">${t('profile.permissions')}</h2>${admin ? `<p><a href="/teams">${t('profile.teamsLink')}</a></p>` : ''}${report.organization === 'admin' ? `<p><a href="/settings/sso">${t('profile.ssoLink')}</a></p>` : ''}
${facts([[t('profile.orgLevel'), escapeHtml(report.organization ?? '—')]])}
${rows === '' ? '' : `<div class="table-wrap"><table><caption>${t('profile.teamsCaption')}</caption><thead><tr><th scope="col">${t('profile.team')}</th><th scope="col">${t('profile.level')}</th></tr></thead><tbody>${rows}</tbody></table></div>`}</section>`;
}

async function render(console: ConsoleContext, caller: Caller, query: PageQuery, state: State = {}): Promise<Reply> {
  const [locked, list, perms] = await Promise.all([
    profileLocked(console.api, caller),
    listSessions(console.api.directory.store, caller.user.id),
    console.api.directory.teams.permissions(caller.user.id, caller.actor),
  ]);
  const body = `${notice(query, NOTICES)}${details(caller, locked, state)}${password(caller, state)}${twoFactor(caller, state)}${sessions(caller, list)}<p><a href="/profile/app-passwords">${t('apppw.link')}</a></p>${permissions(perms)}`;
  return console.render(caller, { title: t('profile.title'), body, section: PATH, status: state.error?.status ?? 200 });
}

function routes(console: ConsoleContext) {
  const { api } = console;
  return [
    page(PATH, 'your profile: name and email, password, two-factor, sessions', async ({ caller }, query) => render(console, caller, query)),
    post(PATH, 'change your name and emails (name and email: not while profiles are locked)', async ({ caller }, form) => {
      const locked = await profileLocked(api, caller);
      const fallback = (form['fallbackEmail'] ?? '').trim();
      const changes = {
        ...(locked ? {} : { fullName: (form['fullName'] ?? '').slice(0, 500), email: (form['email'] ?? '').trim().slice(0, 320) }),
        fallbackEmail: fallback === '' ? null : fallback.slice(0, 320),
      };
      const saved = await attempt(() => updateOwnProfile(api, caller, changes));
      return saved.ok ? done(PATH, 'common.saved') : render(console, caller, {}, { part: 'details', error: saved.error, form });
    }),
    post(`${PATH}/password`, 'change your password (other sessions end; this one is renewed)', async ({ caller, ip, req }, form) => {
      const changed = await attempt(() =>
        passwordThrottled(api, caller, ip, 'the current password is wrong', () =>
          withFieldNames({ oldPassword: 'password' }, () =>
            api.directory.users.changePassword(caller.user.id, { oldPassword: form['password'] ?? '', newPassword: form['newPassword'] ?? '' }, caller.actor),
          ),
        ),
      );
      if (!changed.ok) return render(console, caller, {}, { part: 'password', error: changed.error });
      const session = await issueSession(api.directory.store, changed.value, api.sessionTtlMs);
      return seeOther(`${PATH}?done=profile.passwordChanged`, { 'set-cookie': sessionCookie(session.token, session.expiresAt, console.secure(req)) });
    }),
    post(`${PATH}/2fa/disable`, 'turn your two-factor authentication off (needs your password)', async ({ caller, ip }, form) => {
      const off = await attempt(() => passwordThrottled(api, caller, ip, 'the password is wrong', () => api.directory.lifecycle.twoFactor.disable(caller.user, form['totpPassword'] ?? '', ip)));
      if (!off.ok) return render(console, caller, {}, { part: 'totp', error: off.error });
      notifyTotpDisabled(api, off.value);
      return done(PATH, 'profile.totpOff');
    }),
    post(`${PATH}/sessions/end-others`, 'sign out your other sessions', async ({ caller, ip }) => {
      await endOtherSessions(api.directory.store, caller.user.id, caller.token.id, ip);
      return done(PATH, 'profile.othersEnded');
    }),
  ];
}

export const profileFeature: ConsoleFeature = {
  name: 'profile',
  nav: [{ href: PATH, label: t('profile.nav'), order: 90, visible: () => true }],
  routes,
};
