import { escapeHtml } from '../../domain/escape-html.js';
import type { Reply } from '../route.js';

export { escapeHtml };

/** No scripts, no outside resources, forms post only back here. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:600}input{width:100%;padding:.5rem;margin-top:.25rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00;border-left:4px solid #a00;padding-left:.75rem}
.ok{color:#060;border-left:4px solid #060;padding-left:.75rem}`;

/** A complete, accessible HTML page (lang, title, labelled fields, messages as alerts). */
export function page(title: string, body: string, status = 200): Reply {
  const text = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · pgdir</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
  return { status, text, contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS };
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
