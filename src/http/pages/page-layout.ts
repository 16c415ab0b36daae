import { escapeHtml } from '../../domain/escape-html.js';
import type { Reply } from '../route.js';
import { ASSETS } from '../console/console-assets.js';
import { PAGE_HEADERS } from '../console/console-layout.js';

export { escapeHtml };

/** A complete, accessible HTML page (lang, title, labelled fields, messages as alerts). */
export function page(title: string, body: string, status = 200): Reply {
  const text = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · pgdir</title><link rel="stylesheet" href="${ASSETS.css}"></head>
<body><main class="narrow"><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
  return { status, text, contentType: 'text/html; charset=utf-8', headers: { ...PAGE_HEADERS, 'referrer-policy': 'no-referrer' } }; // the URL holds a token
}

export const message = (kind: 'error' | 'ok', text: string): string =>
  `<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${escapeHtml(text)}</p>`;

export function field(name: string, label: string, type: string, autocomplete: string, value = ''): string {
  // One-time codes are digits: phones then offer the number pad (WHATWG HTML, inputmode).
  const extra = autocomplete === 'one-time-code' ? ' inputmode="numeric" pattern="[0-9]*"' : '';
  return `<label for="${name}">${escapeHtml(label)}</label>
<input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}"${extra} required value="${escapeHtml(value)}">`;
}

/** `application/x-www-form-urlencoded` as a plain record (the last value of a repeated name wins). */
export const formFields = (text: string): Record<string, string> => Object.fromEntries(new URLSearchParams(text));
