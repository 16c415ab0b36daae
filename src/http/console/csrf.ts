import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DirectoryError } from '../../domain/errors.js';
import type { Caller, RawBody, Route } from '../route.js';
import { multipartFields } from './multipart-form.js';

/** The form field every console form carries, and the header scripts and htmx may send instead. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The synchronizer token of a browser session (OWASP CSRF cheat sheet, "synchronizer token"):
 * an HMAC of a fixed label keyed by the session token itself. It is bound to that one session,
 * needs no storage (every replica derives the same one), and reveals nothing of the session
 * token, which stays in the HttpOnly cookie.
 */
export const csrfTokenFor = (sessionToken: string): string =>
  createHmac('sha256', sessionToken).update('pgdir console csrf v1').digest('base64url');

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const refused = (): DirectoryError =>
  new DirectoryError('forbidden', 'the form is out of date or came from another site: reload the page and try again', { field: CSRF_FIELD });

function presented(req: IncomingMessage, body: unknown): string | undefined {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const raw = body as Partial<RawBody> | undefined;
  if (raw?.contentType === 'application/x-www-form-urlencoded' && typeof raw.text === 'string') {
    return new URLSearchParams(raw.text).get(CSRF_FIELD) ?? undefined;
  }
  // A form with a file input (the SSO page's metadata upload) posts multipart/form-data.
  if (raw?.contentType === 'multipart/form-data' && typeof raw.text === 'string') return multipartFields(req.headers['content-type'], raw.text)?.[CSRF_FIELD];
  return undefined;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The one CSRF check (dispatch.ts calls it for every request). A state change authenticated by the
 * session cookie must carry the session's token (form field or header). A console form posted
 * without a session (sign-in, first-run, forgot password) must come from this site: browsers send
 * `Sec-Fetch-Site` and `Origin` on every POST (Fetch §3.1, RFC 6454 §7), so a cross-site one is
 * refused (login CSRF). Bearer-token requests are not affected: a browser never adds that header.
 */
export function checkCsrf(route: Route<unknown, unknown>, req: IncomingMessage, caller: Caller | undefined, body: unknown): void {
  if (SAFE.has(req.method ?? 'GET')) return;
  if (caller?.csrf !== undefined) {
    const token = presented(req, body);
    if (token === undefined || !same(token, caller.csrf)) throw refused();
    return;
  }
  if (route.page === true && !sameSite(req)) throw refused();
}

function sameSite(req: IncomingMessage): boolean {
  // Sec-Fetch-Site is set by the browser and cannot be set by a page (a forbidden header name),
  // so when present it decides; Origin is the fallback (it is "null" under some referrer policies).
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser, or an old one: SameSite cookies still hold
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
