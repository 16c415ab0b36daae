import { escapeHtml } from '../../domain/escape-html.js';
import type { Caller, Reply } from '../route.js';
import { ASSETS } from './console-assets.js';
import type { NavEntry, PageContent } from './console-feature.js';
import { CSRF_FIELD } from './csrf.js';
import { t } from './messages.js';

/**
 * Strict CSP (CSP Level 3): scripts and styles only from this server's files, no inline code or
 * style and no eval (htmx is configured to need none), forms post only here, never framed.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  // Same-origin requests keep their Origin header (csrf.ts checks it); nothing leaks to other sites.
  'referrer-policy': 'same-origin',
};

/** htmx 4 reads its settings from this meta tag: no injected indicator style (the CSP refuses it). */
const HTMX_CONFIG = escapeHtml(JSON.stringify({ includeIndicatorCSS: false, history: false }));

/** The hidden CSRF field every state-changing form of a signed-in page carries. */
export const csrfField = (caller: Caller): string =>
  `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(caller.csrf ?? '')}">`;

function header(caller: Caller | undefined, nav: readonly NavEntry[], section: string | undefined, byLevel: ReadonlySet<string>): string {
  if (caller === undefined) return `<header class="top"><a class="brand" href="/">${t('app.name')}</a></header>`;
  const links = nav
    .filter((entry) => entry.visible(caller.actor) || byLevel.has(entry.href))
    .map((entry) => `<li><a href="${escapeHtml(entry.href)}"${entry.href === section ? ' aria-current="page"' : ''}>${escapeHtml(entry.label)}</a></li>`)
    .join('');
  const who = t('nav.signedInAs', { name: caller.user.username ?? caller.user.email, role: caller.user.role });
  return `<header class="top"><a class="brand" href="/">${t('app.name')}</a>
${links === '' ? '' : `<nav aria-label="${t('nav.label')}"><ul>${links}</ul></nav>`}
<div class="who"><span>${escapeHtml(who)}</span><form method="post" action="/sign-out">${csrfField(caller)}<button type="submit" class="secondary">${t('nav.signOut')}</button></form></div></header>`;
}

/**
 * A whole console page: skip link, header with navigation, the content, the stylesheet and htmx.
 * `byLevel`: the hrefs of nav entries the caller's team levels (not their role) make visible.
 */
export function layout(caller: Caller | undefined, nav: readonly NavEntry[], content: PageContent, byLevel: ReadonlySet<string> = new Set()): Reply {
  const text = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${escapeHtml(content.title)} · ${t('app.name')}</title>
<link rel="stylesheet" href="${ASSETS.css}">
<script src="${ASSETS.htmx}" defer></script></head>
<body><a class="skip" href="#content">${t('nav.skip')}</a>
${header(caller, nav, content.section, byLevel)}
<main id="content"${content.narrow === true ? ' class="narrow"' : ''}><h1>${escapeHtml(content.title)}</h1>
${content.body}
</main></body></html>`;
  return { status: content.status ?? 200, text, contentType: 'text/html; charset=utf-8', headers: { ...PAGE_HEADERS, ...content.headers } };
}

/** A 303 See Other (RFC 9110 §15.4.4): after a form post, the browser GETs the next page. */
export const seeOther = (location: string, headers: Readonly<Record<string, string>> = {}): Reply => ({
  status: 303,
  headers: { location, ...headers },
});

export const alert = (kind: 'error' | 'ok', text: string): string =>
  `<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${escapeHtml(text)}</p>`;
