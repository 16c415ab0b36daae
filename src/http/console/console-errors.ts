import type { IncomingMessage } from 'node:http';
import { escapeHtml } from '../../domain/escape-html.js';
import { toErrorResponse } from '../http-error.js';
import type { Reply } from '../route.js';
import type { ConsoleContext } from './console-feature.js';
import { alert, seeOther } from './console-layout.js';
import { t } from './messages.js';

/** Where a person is sent back to after signing in: only a path on this site (no open redirect). */
export function safeNext(value: string | null | undefined): string {
  if (value === null || value === undefined || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

/**
 * How console pages answer errors (dispatch.ts calls this for `route.page`): no session → the
 * sign-in page, remembering where the person was going; mandatory 2FA not yet set up → the
 * enrolment page; anything else → an HTML page with the status and the error's own message
 * (5xx: a generic one, the detail is in the server log).
 */
export function consoleErrorPage(console: ConsoleContext): (error: unknown, req: IncomingMessage) => Promise<Reply> {
  return async (error, req) => {
    const response = toErrorResponse(error);
    const field = response.body.error.field;
    if (response.status === 401) {
      const next = req.method === 'GET' ? safeNext(req.url) : '/';
      return seeOther(next === '/' ? '/' : `/?next=${encodeURIComponent(next)}`);
    }
    if (response.status === 403 && field === 'mustEnroll2fa') return seeOther('/two-factor');
    const caller = await console.optionalCaller(req).catch(() => undefined);
    const text = response.status >= 500 ? t('error.unexpected') : response.status === 404 ? t('error.notFound') : response.body.error.message;
    const body = `${alert('error', text)}<p><a href="/">${escapeHtml(t('error.back'))}</a></p>`;
    return console.render(caller, { title: t('error.title'), body, status: response.status, headers: response.headers ?? {} });
  };
}
