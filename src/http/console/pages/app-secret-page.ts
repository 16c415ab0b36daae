import type { IncomingMessage } from 'node:http';
import type { AppSummary } from '../../../directory/apps/app-summary.js';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { Caller, Reply } from '../../route.js';
import type { ConsoleContext } from '../console-feature.js';
import { t } from '../messages.js';
import { facts } from './admin-kit.js';
import { ldapUrl } from './directory-server-page.js';

/**
 * How an application connects (issue 16): its bind DN, base DN, user and group bases, and the
 * exact `ldapsearch` line for this server; after create and rotate, the secret, on that answer
 * only (it is stored hashed: no later page can show it).
 */
export const APPS_PATH = '/apps';
export const appPath = (id: string): string => `${APPS_PATH}/${encodeURIComponent(id)}`;

/** The exact command for this server, bound as the app, searching its own view (-W asks for the secret). */
export function appLdapsearchLine(console: ConsoleContext, req: IncomingMessage, app: AppSummary): string | undefined {
  const endpoint = console.api.ldapEndpoint?.();
  if (endpoint === undefined) return undefined;
  const url = ldapUrl(endpoint, req);
  if (url === undefined) return undefined;
  const ca = url.startsWith('ldaps://') && endpoint.certFile !== undefined ? `LDAPTLS_CACERT=${endpoint.certFile} ` : '';
  return `${ca}ldapsearch -H ${url} -D ${app.bindDn} -W -b ou=users,${app.baseDn} '(objectClass=person)' uid mail`;
}

/** Bind DN, base DN, user base and group base as a definition list. */
export const connectFacts = (app: AppSummary): string =>
  facts([
    [t('apps.bindDn'), `<code>${escapeHtml(app.bindDn)}</code>`],
    [t('apps.baseDn'), `<code>${escapeHtml(app.baseDn)}</code>`],
    [t('apps.userBase'), `<code>${escapeHtml(`ou=users,${app.baseDn}`)}</code>`],
    [t('apps.groupBase'), `<code>${escapeHtml(`ou=groups,${app.baseDn}`)}</code>`],
  ]);

/** The "Try it" section: the ldapsearch line, when this process knows its LDAP listeners. */
export function connectSection(console: ConsoleContext, req: IncomingMessage, app: AppSummary): string {
  const line = appLdapsearchLine(console, req, app);
  return `<section aria-labelledby="h-connect"><h2 id="h-connect">${t('apps.connect')}</h2>
${line === undefined ? `<p class="muted">${t('ds.noListener')}</p>` : `<p>${t('apps.connectIntro')}</p><pre class="command"><code>${escapeHtml(line)}</code></pre>`}</section>`;
}

/** The answer to create and rotate (201): the secret once, with the warning, and how to connect. */
export function secretPage(console: ConsoleContext, caller: Caller, req: IncomingMessage, app: AppSummary, secret: string, rotated: boolean): Reply {
  const title = rotated ? t('apps.rotatedTitle', { name: app.name }) : t('apps.createdTitle', { name: app.name });
  const body = `<div class="warning" role="alert"><p>${t('apps.secretWarning')}</p></div>
<h2 id="h-secret">${t('apps.secret')}</h2><p class="secret" id="new-secret">${escapeHtml(secret)}</p>
${connectFacts(app)}
${connectSection(console, req, app)}
<p><a href="${appPath(app.id)}">${t('apps.open')}</a> · <a href="${APPS_PATH}">${t('apps.back')}</a></p>`;
  return console.render(caller, { title, body, status: 201, section: APPS_PATH });
}
