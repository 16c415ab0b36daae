import { escapeHtml } from '../../../domain/escape-html.js';
import { DirectoryError } from '../../../domain/errors.js';
import { may } from '../../../domain/permissions.js';
import type { Actor } from '../../../domain/actor.js';
import { defineRoute, type AnyRoute, type RawBody, type Reply, type RequestContext } from '../../route.js';
import type { NavEntry, PageContent } from '../console-feature.js';
import { formOf } from '../console-forms.js';
import { alert, seeOther } from '../console-layout.js';
import { t, type MessageKey } from '../messages.js';
import { FORM, HTML } from './sign-in-pages.js';

/**
 * What the settings, audit and profile pages share: the route shapes (a signed-in GET page, a
 * form POST), use-case refusals as values shown next to the form, the settings tabs, and the
 * "done" notice a form's 303 carries back to its page (POST → redirect → GET, so a reload never
 * repeats the change).
 */

export { attempt } from './page-kit.js';

export type PageQuery = Readonly<Record<string, string | undefined>>;

/** A signed-in console page (GET); `may()` inside the use cases decides who sees it. */
export const page = (path: string, summary: string, handle: (ctx: RequestContext, query: PageQuery) => Promise<Reply>): AnyRoute =>
  defineRoute({ method: 'GET', path, summary: `Console: ${summary}`, tag: 'console', auth: 'user', page: true, textResponse: HTML, handle: (ctx) => handle(ctx, queryOf(ctx.req.url)) });

/** A form post of a signed-in page (the CSRF token is checked in dispatch before this runs). */
export const post = (path: string, summary: string, handle: (ctx: RequestContext<RawBody>, form: Record<string, string>) => Promise<Reply>): AnyRoute =>
  defineRoute<RawBody>({ method: 'POST', path, summary: `Console: ${summary}`, tag: 'console', auth: 'user', page: true, raw: FORM, textResponse: HTML, handle: (ctx) => handle(ctx, formOf(ctx.body.text)) });

/** The query string as a record (pages validate what they read themselves and show the problems). */
function queryOf(url: string | undefined): PageQuery {
  return Object.fromEntries(new URL(url ?? '/', 'http://localhost').searchParams);
}

/** After a successful post: back to `path`, which shows `notice` (a catalog key, never free text). */
export const done = (path: string, notice: MessageKey): Reply => seeOther(`${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(notice)}`);

/** The notice a `done` redirect asked for, when it is one of the page's own. */
export function notice(query: PageQuery, allowed: readonly MessageKey[]): string {
  const key = allowed.find((k) => k === query['done']);
  return key === undefined ? '' : alert('ok', t(key));
}

/** The alert for a refusal, plus the field it names (for aria-invalid). */
export const refusal = (error: DirectoryError | undefined): string => (error === undefined ? '' : alert('error', error.message));

/** The settings pages' own navigation (a list of links; the current one marked for screen readers). */
const TABS: readonly (readonly [string, MessageKey])[] = [
  ['/settings/directory-server', 'settings.tab.directoryServer'],
  ['/settings/users', 'settings.tab.users'],
  ['/settings/smtp', 'settings.tab.smtp'],
  ['/settings/service-accounts', 'settings.tab.serviceAccounts'],
  ['/settings/external-directory', 'settings.tab.externalDirectory'],
];

export function settingsTabs(current: string): string {
  const links = TABS.map(([href, label]) => `<li><a href="${href}"${href === current ? ' aria-current="page"' : ''}>${escapeHtml(t(label))}</a></li>`).join('');
  return `<nav class="tabs" aria-label="${escapeHtml(t('settings.tabs'))}"><ul>${links}</ul></nav>`;
}

/** The one "Settings" entry of the main navigation (every settings page marks it as current). */
export const SETTINGS_SECTION = '/settings/directory-server';
export const settingsNav: NavEntry = {
  href: SETTINGS_SECTION,
  label: t('settings.nav'),
  order: 50,
  visible: (actor: Actor) => may(actor, 'settings.read').allowed,
};

/** A settings page in the layout: the tabs, then the page's own sections. */
export const settingsPage = (current: string, title: string, body: string, status = 200): PageContent => ({
  title,
  body: `${settingsTabs(current)}${body}`,
  section: SETTINGS_SECTION,
  status,
});

/** `<dl>` of label/value pairs (values already escaped by the caller when they are HTML). */
export const facts = (rows: readonly (readonly [string, string])[]): string =>
  `<dl class="facts">${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;

/** A date for people: `2026-12-07 18:03 UTC` (the same in every browser and in screenshots). */
export const when = (date: Date | string | null | undefined): string =>
  date === null || date === undefined ? '—' : `${new Date(date).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** A text area with its label (the console-forms helpers have no textarea). */
export function textarea(name: string, label: string, value: string, options: { rows?: number; hint?: string; invalid?: boolean; disabled?: boolean } = {}): string {
  const id = `f-${name}`;
  const hint = options.hint === undefined ? '' : `<p class="muted" id="${id}-hint">${escapeHtml(options.hint)}</p>`;
  const described = options.hint === undefined ? '' : ` aria-describedby="${id}-hint"`;
  return `<label for="${id}">${escapeHtml(label)}</label>${hint}
<textarea id="${id}" name="${name}" rows="${options.rows ?? 8}" spellcheck="false"${described}${options.invalid === true ? ' aria-invalid="true"' : ''}${options.disabled === true ? ' disabled' : ''}>${escapeHtml(value)}</textarea>`;
}
